#include "base/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "base/validate.h"

static void
set_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->db_port = 3306;
	cfg->db_timeout = 3;
	cfg->workers = 4;
	cfg->usage_tracking = true;
	cfg->login_failures_per_account = 5;
	cfg->login_failures_per_address = 20;
	cfg->login_window_seconds = 60;
	cfg->login_verify_slots = 2;   /* one a core of a small host */
	snprintf(cfg->db_name, sizeof(cfg->db_name), "parsesphere");
	/* Where the server's own messages go: the web server or the run script collects it. */
	snprintf(cfg->request_log, sizeof(cfg->request_log), "stderr");
	cfg->request_log_sample_ppm = CONFIG_PPM;
	cfg->metrics = true;
	addrlist_parse(&cfg->metrics_allow, "127.0.0.1, ::1");
}

static int
parse_uint(const char *v, unsigned max, unsigned *out)
{
	uint64_t n;

	if (!validate_uint(v, strlen(v), 0, max, &n))
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* A share from 0 to 1 in decimal ("0", "1", "0.25", "0.000001") as millionths. */
static int
parse_share(const char *v, unsigned *ppm)
{
	unsigned whole, frac = 0, scale = CONFIG_PPM;
	const char *p = v;

	if (*p != '0' && *p != '1')
		return -1;
	whole = (unsigned)(*p++ - '0');
	if (*p == '.' && p[1] != '\0')
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) {
			scale /= 10;
			frac += (unsigned)(*p - '0') * scale;
		}
	if (*p != '\0' || (whole == 1 && frac != 0))
		return -1;
	*ppm = whole * CONFIG_PPM + frac;
	return 0;
}

static int
set_str(char *dst, const char *v)
{
	size_t n = strlen(v);

	if (n >= CONFIG_STR_MAX)
		return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

/* "stderr", "syslog", "off" or an absolute path. */
static int
parse_request_log(const char *v, char *dst)
{
	if (strcmp(v, "stderr") != 0 && strcmp(v, "syslog") != 0 && strcmp(v, "off") != 0 &&
	    v[0] != '/')
		return -1;
	return set_str(dst, v);
}

static char *trim(char *s);

/* One node of db_hosts: "/socket/path", "host", "host:port" or "[IPv6]:port". */
static int
parse_db_node(char *s, struct config_db_node *node)
{
	char *host = s, *port = NULL, *end;

	memset(node, 0, sizeof(*node));
	if (*s == '/')
		return set_str(node->socket, s);
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		*end = '\0';
		host = s + 1;
		port = end[1] == ':' ? end + 2 : NULL;
	} else if ((port = strchr(s, ':')) != NULL) {
		*port++ = '\0';
	}
	if (*host == '\0' || strpbrk(host, " \t[]") != NULL ||
	    (port != NULL && (parse_uint(port, 65535, &node->port) != 0 || node->port == 0)))
		return -1;
	return set_str(node->host, host);   /* port 0: db_port, once the whole file is read */
}

/* db_hosts: nodes separated by commas, none empty, at most CONFIG_DB_NODES_MAX. */
static int
parse_db_hosts(struct config *cfg, const char *v)
{
	char list[CONFIG_STR_MAX], *item, *comma;
	unsigned n = 0;

	if (set_str(list, v) != 0)
		return -1;
	for (item = list; item != NULL; item = comma) {
		if ((comma = strchr(item, ',')) != NULL)
			*comma++ = '\0';
		if (n == CONFIG_DB_NODES_MAX || parse_db_node(trim(item), &cfg->db_nodes[n]) != 0)
			return -1;
		n++;
	}
	cfg->db_nnodes = n;
	return 0;
}

static int
apply(struct config *cfg, const char *k, const char *v)
{
	static const struct { const char *key; size_t off; } strs[] = {
		{"db_socket", offsetof(struct config, db_socket)},
		{"db_host", offsetof(struct config, db_host)},
		{"db_user", offsetof(struct config, db_user)},
		{"db_password", offsetof(struct config, db_password)},
		{"db_name", offsetof(struct config, db_name)},
		{"pepper_file", offsetof(struct config, pepper_file)},
		{"listen", offsetof(struct config, listen)},
		{"login_verify_dir", offsetof(struct config, login_verify_dir)},
		{"metrics_dir", offsetof(struct config, metrics_dir)},
		{"rate_limit_dir", offsetof(struct config, rate_limit_dir)},
		{"leak_public_keys_file", offsetof(struct config, leak_public_keys_file)},
	};

	/* Unsigned settings with their bounds (the log-in ones start at 1: 0 would lock all out). */
	static const struct { const char *key; size_t off; unsigned min, max; } uints[] = {
		{"db_port", offsetof(struct config, db_port), 0, 65535},
		{"db_timeout", offsetof(struct config, db_timeout), 0, 300},
		{"workers", offsetof(struct config, workers), 0, 256},
		{"login_failures_per_account",
		 offsetof(struct config, login_failures_per_account), 1, 1000000},
		{"login_failures_per_address",
		 offsetof(struct config, login_failures_per_address), 1, 1000000},
		{"login_window_seconds", offsetof(struct config, login_window_seconds), 1, 86400},
		{"login_verify_slots", offsetof(struct config, login_verify_slots), 1, 64},
		/* The API's bounds of a limit (core/ratelimit.h RATELIMIT_MAX); 0: none, default. */
		{"rate_limit_per_second", offsetof(struct config, rate_limit_per_second), 0, 100000},
		{"rate_limit_burst", offsetof(struct config, rate_limit_burst), 0, 100000},
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(k, strs[i].key) == 0)
			return set_str((char *)cfg + strs[i].off, v);
	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		unsigned *out = (unsigned *)((char *)cfg + uints[i].off);

		if (strcmp(k, uints[i].key) == 0)
			return parse_uint(v, uints[i].max, out) == 0 && *out >= uints[i].min ? 0 : -1;
	}
	if (strcmp(k, "usage_tracking") == 0)
		return parse_bool(v, &cfg->usage_tracking);
	if (strcmp(k, "secure_cookies") == 0)
		return parse_bool(v, &cfg->secure_cookies);
	if (strcmp(k, "request_log") == 0)
		return parse_request_log(v, cfg->request_log);
	if (strcmp(k, "request_log_sample") == 0)
		return parse_share(v, &cfg->request_log_sample_ppm);
	if (strcmp(k, "metrics") == 0)
		return parse_bool(v, &cfg->metrics);
	if (strcmp(k, "metrics_allow") == 0)
		return addrlist_parse(&cfg->metrics_allow, v);
	if (strcmp(k, "db_hosts") == 0)
		return parse_db_hosts(cfg, v);
	if (strcmp(k, "db_causal_reads") == 0)
		return parse_bool(v, &cfg->db_causal_reads);
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
load_pepper(struct config *cfg, char *err, size_t errlen)
{
	unsigned char extra;
	ssize_t n;
	int fd = -1, rc = -1;

	cfg->pepper = sodium_malloc(APIKEY_PEPPER_LEN);
	if (cfg->pepper == NULL) {
		snprintf(err, errlen, "out of memory for the pepper");
		goto fail;
	}
	fd = open(cfg->pepper_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "pepper_file %s: %s", cfg->pepper_file, strerror(errno));
		goto fail;
	}
	n = read(fd, cfg->pepper, APIKEY_PEPPER_LEN);
	if (n != APIKEY_PEPPER_LEN || read(fd, &extra, 1) != 0) {
		snprintf(err, errlen, "pepper_file %s: must hold exactly %d bytes",
		         cfg->pepper_file, APIKEY_PEPPER_LEN);
		goto fail;
	}
	sodium_mprotect_readonly(cfg->pepper);
	rc = 0;
fail:
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * The node list: db_hosts, else the single node of db_socket/db_host/db_port
 * (as before db_hosts existed). Both at once would leave one of them unused.
 */
static int
resolve_db_nodes(struct config *cfg)
{
	if (cfg->db_nnodes == 0) {
		memcpy(cfg->db_nodes[0].host, cfg->db_host, sizeof(cfg->db_host));
		memcpy(cfg->db_nodes[0].socket, cfg->db_socket, sizeof(cfg->db_socket));
		cfg->db_nnodes = 1;
	} else if (cfg->db_host[0] != '\0' || cfg->db_socket[0] != '\0') {
		return -1;
	}
	for (unsigned i = 0; i < cfg->db_nnodes; i++)
		if (cfg->db_nodes[i].port == 0)
			cfg->db_nodes[i].port = cfg->db_port;
	return 0;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	char line[1024], buf[4096];
	FILE *f = NULL;
	int lineno = 0, rc = -1;

	set_defaults(cfg);
	f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* stdio's buffer of the file holds db_password too: ours, wiped once closed. */
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *k, *eq, *v;

		lineno++;
		/* fgets splits a longer line: its tail would be read as a setting of its own. */
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno,
			         sizeof(line) - 2);
			goto fail;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			goto fail;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (apply(cfg, k, v) != 0) {
			/* Name the key, never the value: it may be a password. */
			snprintf(err, errlen, "%s:%d: unknown key or bad value for '%.64s'",
			         path, lineno, k);
			goto fail;
		}
	}
	if (resolve_db_nodes(cfg) != 0) {
		snprintf(err, errlen, "%s: db_hosts replaces db_host and db_socket: set only one",
		         path);
		goto fail;
	}
	if (cfg->pepper_file[0] == '\0') {
		snprintf(err, errlen, "%s: pepper_file is required", path);
		goto fail;
	}
	if (load_pepper(cfg, err, errlen) != 0)
		goto fail;
	rc = 0;
fail:
	sodium_memzero(line, sizeof(line));
	if (f != NULL)
		fclose(f);
	sodium_memzero(buf, sizeof(buf));
	if (rc != 0)
		config_free(cfg);
	return rc;
}

void
config_free(struct config *cfg)
{
	if (cfg->pepper != NULL)
		sodium_free(cfg->pepper);   /* wipes before unmapping */
	cfg->pepper = NULL;
	sodium_memzero(cfg->db_password, sizeof(cfg->db_password));
}
