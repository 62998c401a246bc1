#include "base/reqlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sodium.h>

#include "base/log.h"
#include "base/timefmt.h"

/* ---- what the front ends note ------------------------------------------------------ */

void
reqlog_note_route(struct reqlog_entry *e, const char *template_)
{
	if (e != NULL)
		e->route = template_;
}

void
reqlog_note_auth(struct reqlog_entry *e, enum err outcome)
{
	if (e == NULL)
		return;
	e->auth_ran = true;
	e->auth = outcome;
}

void
reqlog_note_key(struct reqlog_entry *e, const uint8_t id[UUID_LEN], const char *prefix)
{
	if (e == NULL)
		return;
	e->has_key = true;
	memcpy(e->key_id, id, UUID_LEN);
	/* A prefix is APIKEY_PREFIX_LEN characters: never more of a key than that. */
	memset(e->key_prefix, 0, sizeof(e->key_prefix));
	memcpy(e->key_prefix, prefix, strnlen(prefix, APIKEY_PREFIX_LEN));
}

void
reqlog_note_account(struct reqlog_entry *e, const uint8_t id[UUID_LEN])
{
	if (e == NULL)
		return;
	e->has_account = true;
	memcpy(e->account_id, id, UUID_LEN);
}

void
reqlog_note_org(struct reqlog_entry *e, const uint8_t id[UUID_LEN])
{
	if (e == NULL)
		return;
	e->has_org = true;
	memcpy(e->org_id, id, UUID_LEN);
}

/* ---- the line ----------------------------------------------------------------- */

/*
 * The line is built by copying, not by printf: a request pays for it, and
 * formatting each character costs more than the rest of the line's work.
 */
struct line {
	char *buf;
	size_t cap, len;
	bool over;                       /* something did not fit (a NUL stays room) */
};

static void
put_raw(struct line *o, const char *s, size_t n)
{
	if (o->over || n >= o->cap - o->len) {
		o->over = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

#define PUT(o, lit) put_raw((o), (lit), sizeof(lit) - 1)

static void
put_int(struct line *o, const char *name, long long v)
{
	char digits[24];
	size_t n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do
		digits[sizeof(digits) - ++n] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		digits[sizeof(digits) - ++n] = '-';
	PUT(o, ",\"");
	put_raw(o, name, strlen(name));
	PUT(o, "\":");
	put_raw(o, digits + sizeof(digits) - n, n);
}

/* Printable ASCII but for the two characters JSON strings must escape. */
static bool
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * ,"name":"value" or ,"name":null. The values are the service's own, but a
 * line must stay one valid JSON line whatever they hold: quotes, backslashes
 * and anything outside printable ASCII become \u escapes.
 */
static void
put_str(struct line *o, const char *name, const char *v)
{
	PUT(o, ",\"");
	put_raw(o, name, strlen(name));
	PUT(o, "\":");
	if (v == NULL) {
		PUT(o, "null");
		return;
	}
	PUT(o, "\"");
	while (*v != '\0') {
		size_t run = 0;
		char esc[8];

		while (plain((unsigned char)v[run]))
			run++;
		put_raw(o, v, run);
		v += run;
		if (*v != '\0') {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*v++);
			put_raw(o, esc, 6);
		}
	}
	PUT(o, "\"");
}

static void
put_id(struct line *o, const char *name, bool has, const uint8_t id[UUID_LEN])
{
	char text[UUID_TEXT_LEN + 1];

	if (has)
		uuid_format(id, text);
	put_str(o, name, has ? text : NULL);
}

size_t
reqlog_format(const struct reqlog_entry *e, char *buf, size_t cap)
{
	struct line o = {.buf = buf, .cap = cap};
	struct timefmt_civil t;
	char when[40];
	int n;

	timefmt_to_civil(e->start_us, &t);
	n = snprintf(when, sizeof(when), "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\"",
	             t.year, t.month, t.day, t.hour, t.minute, t.second, t.usec);
	if (n > 0 && (size_t)n < sizeof(when))
		put_raw(&o, when, (size_t)n);
	else
		o.over = true;
	put_str(&o, "request_id", e->request_id);
	put_int(&o, "pid", e->pid);
	put_str(&o, "fcgi_role", e->authorizer ? "authorizer" : "responder");
	put_str(&o, "method", e->method);
	put_str(&o, "route", e->route);
	put_int(&o, "status", e->status);
	put_str(&o, "error_code", e->error_code != NULL && e->error_code[0] != '\0' ?
	        e->error_code : NULL);
	put_id(&o, "key_id", e->has_key, e->key_id);
	put_str(&o, "key_prefix", e->has_key ? e->key_prefix : NULL);
	put_id(&o, "account_id", e->has_account, e->account_id);
	put_id(&o, "organization_id", e->has_org, e->org_id);
	put_int(&o, "duration_us", e->duration_us);
	put_int(&o, "db_us", e->db_us);
	PUT(&o, "}");
	return o.over ? 0 : o.len;
}

/* ---- the destination ------------------------------------------------------------ */

static int
open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

void
reqlog_open(struct reqlog *l, const struct config *cfg)
{
	const char *to = cfg->request_log;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->sample_ppm = cfg->request_log_sample_ppm;
	if (strcmp(to, "off") == 0) {
		l->to = REQLOG_OFF;
	} else if (strcmp(to, "syslog") == 0) {
		l->to = REQLOG_SYSLOG;
		openlog("parsesphere", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	} else if (to[0] == '/' && (l->fd = open_file(to)) >= 0) {
		l->to = REQLOG_FILE;
		snprintf(l->path, sizeof(l->path), "%s", to);
	} else {
		if (to[0] == '/')
			log_error("request_log %s: %s; request lines go to stderr", to, strerror(errno));
		l->to = REQLOG_STDERR;
		l->fd = STDERR_FILENO;
	}
}

void
reqlog_reopen(struct reqlog *l)
{
	int fd;

	if (l->to != REQLOG_FILE)
		return;
	fd = open_file(l->path);
	if (fd < 0) {
		log_error("request_log %s: %s; still writing to the file opened before", l->path,
		          strerror(errno));
		return;
	}
	close(l->fd);
	l->fd = fd;
}

void
reqlog_close(struct reqlog *l)
{
	if (l->to == REQLOG_FILE)
		close(l->fd);
	else if (l->to == REQLOG_SYSLOG)
		closelog();
	l->to = REQLOG_OFF;
	l->fd = -1;
}

bool
reqlog_keeps(unsigned sample_ppm, int status, uint32_t draw)
{
	return status >= 400 || draw < sample_ppm;
}

void
reqlog_write(struct reqlog *l, const struct reqlog_entry *e)
{
	char line[REQLOG_LINE_MAX];
	size_t n;

	if (l->to == REQLOG_OFF)
		return;
	/* A draw only when it decides something: at 1 (the default) none is made. */
	if (e->status < 400 && l->sample_ppm < CONFIG_PPM &&
	    !reqlog_keeps(l->sample_ppm, e->status, randombytes_uniform(CONFIG_PPM)))
		return;
	if ((n = reqlog_format(e, line, sizeof(line) - 1)) == 0)
		return;
	if (l->to == REQLOG_SYSLOG) {
		line[n] = '\0';
		syslog(LOG_INFO, "%s", line);
		return;
	}
	/*
	 * One write per line, so that the lines of concurrent workers never
	 * interleave. A failed write has nobody to tell: the next line tries again.
	 */
	line[n] = '\n';
	(void)!write(l->fd, line, n + 1);
}
