/*
 * Unit tests of lib/config.c on files in a private temporary directory:
 * unknown keys and bad values refused, the bounds of numbers, comments and
 * blank lines, the pepper file of exactly 32 bytes, and error messages that
 * never contain the database password.
 */
#include "../../../lib/base/config.c"
#include "../../../lib/base/validate.c"
#include "../../../lib/base/addrlist.c"
#include "../harness.h"

#include <sys/stat.h>

/* In every case's file, ahead of its own lines; never in an error message. */
#define PASSWORD "hunter2-Zq9"

static char dir[64];

/* The pepper files of the directory. */
enum pepper { P_NONE, P_32, P_31, P_33, P_EMPTY, P_64, P_MISSING, P_DIR, P_COUNT };
static const struct { const char *name; int len; } peppers[P_COUNT] = {
	[P_32] = {"p32", 32}, [P_31] = {"p31", 31}, [P_33] = {"p33", 33},
	[P_EMPTY] = {"p0", 0}, [P_64] = {"p64", 64}, [P_MISSING] = {"absent", -1},
	[P_DIR] = {"", -1},
};

static void
path_of(const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

/* Bytes 0, 1, 2, ... so that the pepper read can be compared. */
static void
write_file(const char *name, const char *text, int len)
{
	char path[128];
	FILE *f;

	path_of(name, path, sizeof(path));
	f = fopen(path, "w");
	if (f == NULL)
		return;
	if (text != NULL)
		fputs(text, f);
	for (int i = 0; i < len; i++)
		fputc(i, f);
	fclose(f);
}

static void
make_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test_config.XXXXXX", tmp != NULL && strlen(tmp) < 40 ?
	         tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		exit(1);
	}
	for (int p = P_32; p <= P_64; p++)
		write_file(peppers[p].name, NULL, peppers[p].len);
}

static void
remove_dir(void)
{
	static const char *const names[] = {"p32", "p31", "p33", "p0", "p64", "conf"};
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_of(names[i], path, sizeof(path));
		unlink(path);
	}
	rmdir(dir);
}

/*
 * Writes the password line, the pepper_file line (unless P_NONE) and text
 * to the config file, then loads it. The password line is line 1, pepper 2.
 */
static int
load(const char *text, enum pepper pepper, struct config *cfg, char *err, size_t errlen)
{
	char path[128], conf[4096], pepper_path[128];

	path_of(peppers[pepper].name, pepper_path, sizeof(pepper_path));
	snprintf(conf, sizeof(conf), "db_password = " PASSWORD "\n%s%s%s%s",
	         pepper != P_NONE ? "pepper_file = " : "", pepper != P_NONE ? pepper_path : "",
	         pepper != P_NONE ? "\n" : "", text);
	write_file("conf", conf, 0);
	path_of("conf", path, sizeof(path));
	err[0] = '\0';
	return config_load(cfg, path, err, errlen);
}

/* What a failed load must leave: no pepper, no password, a message without it. */
static void
check_failed(int line, const struct config *cfg, const char *err, const char *err_has)
{
	static const char zero[CONFIG_STR_MAX];

	CHECK_AT(err[0] != '\0' && (err_has == NULL || strstr(err, err_has) != NULL), line,
	         "error [%s], want one with [%s]", err, err_has ? err_has : "");
	CHECK_AT(strstr(err, "hunter2") == NULL, line, "the password is in [%s]", err);
	CHECK_AT(cfg->pepper == NULL && memcmp(cfg->db_password, zero, sizeof(zero)) == 0, line,
	         "a failed load left the pepper or the password in memory");
}

/* A line of n bytes: `head`, then `fill` up to n. */
static const char *
long_line(const char *head, char fill, size_t n)
{
	static char buf[2048];
	size_t h = strlen(head);

	memcpy(buf, head, h);
	memset(buf + h, fill, n - h);
	strcpy(buf + n, "\n");
	return buf;
}

static void
test_lines(void)
{
	static const struct {
		int line;
		const char *text;               /* from line 3 on */
		enum pepper pepper;
		bool ok;
		const char *err_has;            /* when !ok: in the message */
	} cases[] = {
		{__LINE__, "", P_32, true, NULL},
		{__LINE__, "# a comment\n\n   \n\t\n  # indented = comment\n#workers = x\n", P_32,
		 true, NULL},
		{__LINE__, "workers=2\n  db_port   =   7  \ndb_timeout = 5\r\nlisten = a=b\n", P_32,
		 true, NULL},
		{__LINE__, "workers = 2", P_32, true, NULL},        /* no newline at the end */
		/* Unknown keys and lines that are not settings. */
		{__LINE__, "wrokers = 2\n", P_32, false,
		 ":3: unknown key or bad value for 'wrokers'"},
		{__LINE__, "\n# c\nWorkers = 2\n", P_32, false, ":5:"},
		{__LINE__, "workers\n", P_32, false, ":3: expected key = value"},
		{__LINE__, "= 2\n", P_32, false, ":3:"},
		{__LINE__, "workers = 2 # two\n", P_32, false, ":3:"},   /* no inline comments */
		{__LINE__, "db_password hunter2\n", P_32, false, ":3: expected key = value"},
		{__LINE__, "hunter2\n", P_32, false, ":3: expected key = value"},
		/* The pepper: required, exactly 32 bytes. */
		{__LINE__, "", P_NONE, false, "pepper_file is required"},
		{__LINE__, "pepper_file =\n", P_32, false, "pepper_file is required"},
		{__LINE__, "", P_31, false, "exactly 32 bytes"},
		{__LINE__, "", P_33, false, "exactly 32 bytes"},
		{__LINE__, "", P_64, false, "exactly 32 bytes"},
		{__LINE__, "", P_EMPTY, false, "exactly 32 bytes"},
		{__LINE__, "", P_MISSING, false, "No such file"},
		{__LINE__, "", P_DIR, false, "pepper_file"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		char err[256];
		int rc = load(cases[i].text, cases[i].pepper, &cfg, err, sizeof(err));

		CHECK_AT((rc == 0) == cases[i].ok, cases[i].line, "[%s]: rc %d, err [%s]",
		         cases[i].text, rc, err);
		if (rc == 0)
			config_free(&cfg);
		else
			check_failed(cases[i].line, &cfg, err, cases[i].err_has);
	}
}

/* A line longer than the reader's buffer is refused, never split into two lines. */
static void
test_long_lines(void)
{
	static const struct {
		int line;
		const char *head;
		char fill;
		size_t len;                     /* without the newline */
		bool ok;
	} cases[] = {
		{__LINE__, "# ", 'x', 1022, true},
		{__LINE__, "# ", 'x', 1023, false},
		{__LINE__, "# ", 'x', 1500, false},
		/* Its tail would otherwise be read as a setting: 1023 bytes, then "workers = 0". */
		{__LINE__, "# ", 'x', 1023 + 11, false},
		{__LINE__, "db_password = ", 'h', 1200, false},
		{__LINE__, "db_host = ", 'h', 10 + CONFIG_STR_MAX - 1, true},
		{__LINE__, "db_host = ", 'h', 10 + CONFIG_STR_MAX, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[2048];
		struct config cfg;
		char err[256];
		int rc;

		snprintf(text, sizeof(text), "%s", long_line(cases[i].head, cases[i].fill,
		                                             cases[i].len));
		if (cases[i].len == 1023 + 11)
			memcpy(text + 1023, "workers = 0", 11);
		rc = load(text, P_32, &cfg, err, sizeof(err));
		CHECK_AT((rc == 0) == cases[i].ok, cases[i].line, "%s... of %zu bytes: rc %d, [%s]",
		         cases[i].head, cases[i].len, rc, err);
		if (rc == 0) {
			CHECK_AT(cfg.workers == 4, cases[i].line, "workers %u from a comment",
			         cfg.workers);
			config_free(&cfg);
		} else {
			check_failed(cases[i].line, &cfg, err, ":3:");
		}
	}
}

/* The settings a value case can read back, as text. */
static const struct { const char *key; size_t off; char type; } fields[] = {
	{"db_port", offsetof(struct config, db_port), 'u'},
	{"db_timeout", offsetof(struct config, db_timeout), 'u'},
	{"workers", offsetof(struct config, workers), 'u'},
	{"login_failures_per_account", offsetof(struct config, login_failures_per_account), 'u'},
	{"login_failures_per_address", offsetof(struct config, login_failures_per_address), 'u'},
	{"login_window_seconds", offsetof(struct config, login_window_seconds), 'u'},
	{"usage_tracking", offsetof(struct config, usage_tracking), 'b'},
	{"secure_cookies", offsetof(struct config, secure_cookies), 'b'},
	{"db_causal_reads", offsetof(struct config, db_causal_reads), 'b'},
	{"db_host", offsetof(struct config, db_host), 's'},
	{"db_name", offsetof(struct config, db_name), 's'},
	{"db_password", offsetof(struct config, db_password), 's'},
	{"request_log", offsetof(struct config, request_log), 's'},
	{"request_log_sample", offsetof(struct config, request_log_sample_ppm), 'u'},
	{"metrics", offsetof(struct config, metrics), 'b'},
	{"metrics_dir", offsetof(struct config, metrics_dir), 's'},
	{"metrics_allow", offsetof(struct config, metrics_allow), 'n'},
	{"rate_limit_per_second", offsetof(struct config, rate_limit_per_second), 'u'},
	{"rate_limit_burst", offsetof(struct config, rate_limit_burst), 'u'},
	{"rate_limit_dir", offsetof(struct config, rate_limit_dir), 's'},
	{"leak_public_keys_file", offsetof(struct config, leak_public_keys_file), 's'},
};

static void
field_text(const struct config *cfg, const char *key, char *out, size_t cap)
{
	snprintf(out, cap, "(no field %s)", key);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *at = (const char *)cfg + fields[i].off;

		if (strcmp(fields[i].key, key) != 0)
			continue;
		if (fields[i].type == 'u')
			snprintf(out, cap, "%u", *(const unsigned *)(const void *)at);
		else if (fields[i].type == 'b')
			snprintf(out, cap, *(const bool *)(const void *)at ? "true" : "false");
		else if (fields[i].type == 'n')   /* an address list: how many */
			snprintf(out, cap, "%u addresses",
			         ((const struct addrlist *)(const void *)at)->n);
		else
			snprintf(out, cap, "%s", at);
	}
}

static void
test_values(void)
{
	static const struct {
		int line;
		const char *key, *value;        /* value NULL: the key is not in the file */
		const char *want;               /* NULL: refused */
	} cases[] = {
		/* Defaults. */
		{__LINE__, "db_port", NULL, "3306"},
		{__LINE__, "db_timeout", NULL, "3"},
		{__LINE__, "workers", NULL, "4"},
		{__LINE__, "usage_tracking", NULL, "true"},
		{__LINE__, "secure_cookies", NULL, "false"},
		{__LINE__, "db_name", NULL, "parsesphere"},
		{__LINE__, "login_failures_per_account", NULL, "5"},
		{__LINE__, "login_failures_per_address", NULL, "20"},
		{__LINE__, "login_window_seconds", NULL, "60"},
		/* Bounds. */
		{__LINE__, "db_port", "0", "0"},
		{__LINE__, "db_port", "65535", "65535"},
		{__LINE__, "db_port", "65536", NULL},
		{__LINE__, "db_timeout", "300", "300"},
		{__LINE__, "db_timeout", "301", NULL},
		{__LINE__, "workers", "0", "0"},
		{__LINE__, "workers", "256", "256"},
		{__LINE__, "workers", "257", NULL},
		{__LINE__, "login_failures_per_account", "0", NULL},
		{__LINE__, "login_failures_per_account", "1", "1"},
		{__LINE__, "login_failures_per_account", "1000000", "1000000"},
		{__LINE__, "login_failures_per_account", "1000001", NULL},
		{__LINE__, "login_failures_per_address", "0", NULL},
		{__LINE__, "login_failures_per_address", "1000000", "1000000"},
		{__LINE__, "login_window_seconds", "0", NULL},
		{__LINE__, "login_window_seconds", "86400", "86400"},
		{__LINE__, "login_window_seconds", "86401", NULL},
		/* Numbers: decimal digits only, no wrap-around. */
		{__LINE__, "db_port", "007", "7"},
		{__LINE__, "db_port", "", NULL},
		{__LINE__, "db_port", "-1", NULL},
		{__LINE__, "db_port", "+1", NULL},
		{__LINE__, "db_port", "1x", NULL},
		{__LINE__, "db_port", "1 2", NULL},
		{__LINE__, "db_port", "0x10", NULL},
		{__LINE__, "db_port", "4294967296", NULL},
		{__LINE__, "db_port", "4294970832", NULL},              /* 3536 mod 2^32 */
		{__LINE__, "db_port", "99999999999999999999999", NULL},
		/* Booleans. */
		{__LINE__, "usage_tracking", "off", "false"},
		{__LINE__, "usage_tracking", "false", "false"},
		{__LINE__, "usage_tracking", "0", "false"},
		{__LINE__, "secure_cookies", "on", "true"},
		{__LINE__, "secure_cookies", "true", "true"},
		{__LINE__, "secure_cookies", "1", "true"},
		{__LINE__, "secure_cookies", "yes", NULL},
		{__LINE__, "secure_cookies", "ON", NULL},
		{__LINE__, "secure_cookies", "", NULL},
		{__LINE__, "db_causal_reads", NULL, "false"},
		{__LINE__, "db_causal_reads", "on", "true"},
		{__LINE__, "db_causal_reads", "auto", NULL},
		/* Strings: taken whole, '#' and '=' included. */
		{__LINE__, "db_host", "10.0.0.5", "10.0.0.5"},
		{__LINE__, "db_host", "", ""},
		{__LINE__, "db_name", "ps#1=a", "ps#1=a"},
		{__LINE__, "db_password", "p w#=", "p w#="},
		/* The request log: a destination, and a share of 0 to 1 kept as millionths. */
		{__LINE__, "request_log", NULL, "stderr"},
		{__LINE__, "request_log", "stderr", "stderr"},
		{__LINE__, "request_log", "syslog", "syslog"},
		{__LINE__, "request_log", "off", "off"},
		{__LINE__, "request_log", "/var/log/parsesphere/requests.log",
		 "/var/log/parsesphere/requests.log"},
		{__LINE__, "request_log", "requests.log", NULL},
		{__LINE__, "request_log", "", NULL},
		{__LINE__, "request_log", "STDERR", NULL},
		{__LINE__, "request_log", "file", NULL},
		{__LINE__, "request_log_sample", NULL, "1000000"},
		{__LINE__, "request_log_sample", "1", "1000000"},
		{__LINE__, "request_log_sample", "1.0", "1000000"},
		{__LINE__, "request_log_sample", "1.000000", "1000000"},
		{__LINE__, "request_log_sample", "0", "0"},
		{__LINE__, "request_log_sample", "0.0", "0"},
		{__LINE__, "request_log_sample", "0.25", "250000"},
		{__LINE__, "request_log_sample", "0.5", "500000"},
		{__LINE__, "request_log_sample", "0.000001", "1"},
		{__LINE__, "request_log_sample", "0.999999", "999999"},
		{__LINE__, "request_log_sample", "0.0000001", NULL},
		{__LINE__, "request_log_sample", "1.01", NULL},
		{__LINE__, "request_log_sample", "1.000001", NULL},
		{__LINE__, "request_log_sample", "2", NULL},
		{__LINE__, "request_log_sample", "0.", NULL},
		{__LINE__, "request_log_sample", ".5", NULL},
		{__LINE__, "request_log_sample", "00.5", NULL},
		{__LINE__, "request_log_sample", "0,5", NULL},
		{__LINE__, "request_log_sample", "-0", NULL},
		{__LINE__, "request_log_sample", "50%", NULL},
		{__LINE__, "request_log_sample", "", NULL},
		/* Metrics: on by default, to the loopback addresses only. */
		{__LINE__, "metrics", NULL, "true"},
		{__LINE__, "metrics", "off", "false"},
		{__LINE__, "metrics_dir", NULL, ""},
		{__LINE__, "metrics_dir", "/run/parsesphere", "/run/parsesphere"},
		{__LINE__, "metrics_allow", NULL, "2 addresses"},
		{__LINE__, "metrics_allow", "", "0 addresses"},
		{__LINE__, "metrics_allow", "10.0.0.9", "1 addresses"},
		{__LINE__, "metrics_allow", "127.0.0.1, ::1, 10.0.0.9", "3 addresses"},
		/* GitHub's keys for leak reports: none by default (every report is refused). */
		{__LINE__, "leak_public_keys_file", NULL, ""},
		{__LINE__, "leak_public_keys_file", "/etc/parsesphere/github-keys.json",
		 "/etc/parsesphere/github-keys.json"},
		{__LINE__, "metrics_allow", "prometheus.internal", NULL},
		{__LINE__, "metrics_allow", "10.0.0.0/8", NULL},
		/* Rate limits: no server-wide default unless set; the API's bounds. */
		{__LINE__, "rate_limit_per_second", NULL, "0"},
		{__LINE__, "rate_limit_per_second", "100", "100"},
		{__LINE__, "rate_limit_per_second", "100000", "100000"},
		{__LINE__, "rate_limit_per_second", "100001", NULL},
		{__LINE__, "rate_limit_per_second", "-1", NULL},
		{__LINE__, "rate_limit_per_second", "1.5", NULL},
		{__LINE__, "rate_limit_burst", NULL, "0"},
		{__LINE__, "rate_limit_burst", "250", "250"},
		{__LINE__, "rate_limit_burst", "100001", NULL},
		{__LINE__, "rate_limit_dir", NULL, ""},
		{__LINE__, "rate_limit_dir", "/run/parsesphere", "/run/parsesphere"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512], got[CONFIG_STR_MAX + 32], err[256];
		struct config cfg;
		int rc;

		snprintf(text, sizeof(text), "%s = %s\n", cases[i].value ? cases[i].key : "#",
		         cases[i].value ? cases[i].value : "");
		rc = load(text, P_32, &cfg, err, sizeof(err));
		if (cases[i].want == NULL) {
			CHECK_AT(rc != 0, cases[i].line, "%s = [%s] accepted", cases[i].key,
			         cases[i].value);
			if (rc != 0)
				check_failed(cases[i].line, &cfg, err, cases[i].key);
			else
				config_free(&cfg);
			continue;
		}
		CHECK_AT(rc == 0, cases[i].line, "%s = [%s]: %s", cases[i].key,
		         cases[i].value ? cases[i].value : "(absent)", err);
		if (rc != 0)
			continue;
		field_text(&cfg, cases[i].key, got, sizeof(got));
		CHECK_AT(strcmp(got, cases[i].want) == 0, cases[i].line, "%s = [%s]: %s, want %s",
		         cases[i].key, cases[i].value ? cases[i].value : "(absent)", got,
		         cases[i].want);
		config_free(&cfg);
	}
}

/* The nodes as text: "host:port" or "socket", separated by spaces. */
static void
nodes_text(const struct config *cfg, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < cfg->db_nnodes && n < cap; i++) {
		const struct config_db_node *d = &cfg->db_nodes[i];

		n += (size_t)snprintf(out + n, cap - n, "%s%s", i > 0 ? " " : "", d->socket);
		if (n < cap && d->socket[0] == '\0')
			n += (size_t)snprintf(out + n, cap - n, "%s:%u", d->host, d->port);
	}
}

/* db_hosts, or the one node of db_socket/db_host/db_port. */
static void
test_db_nodes(void)
{
	static const struct {
		int line;
		const char *text;
		const char *want;               /* NULL: refused */
	} cases[] = {
		/* Without db_hosts: one node, as before. */
		{__LINE__, "", ":3306"},
		{__LINE__, "db_socket = /run/m.sock\n", "/run/m.sock"},
		{__LINE__, "db_host = 10.0.0.5\ndb_port = 3307\n", "10.0.0.5:3307"},
		/* db_hosts: in order; a node without a port takes db_port, wherever it is set. */
		{__LINE__, "db_hosts = 10.0.0.1:3306,10.0.0.2:3307\n", "10.0.0.1:3306 10.0.0.2:3307"},
		{__LINE__, "db_hosts = a , b:1,  c\ndb_port = 3310\n", "a:3310 b:1 c:3310"},
		{__LINE__, "db_hosts = /run/a.sock, db1.example:3306\n", "/run/a.sock db1.example:3306"},
		{__LINE__, "db_hosts = [::1]:3307, [fe80::1]\n", "::1:3307 fe80::1:3306"},
		{__LINE__, "db_hosts = a\n", "a:3306"},
		{__LINE__, "db_hosts = a,b,c,d,e,f,g,h\n", "a:3306 b:3306 c:3306 d:3306 e:3306 f:3306 "
		 "g:3306 h:3306"},
		/* Refused. */
		{__LINE__, "db_hosts = a,b,c,d,e,f,g,h,i\n", NULL},     /* more than 8 */
		{__LINE__, "db_hosts =\n", NULL},
		{__LINE__, "db_hosts = a,,b\n", NULL},
		{__LINE__, "db_hosts = a,\n", NULL},
		{__LINE__, "db_hosts = a:\n", NULL},
		{__LINE__, "db_hosts = a:0\n", NULL},
		{__LINE__, "db_hosts = a:65536\n", NULL},
		{__LINE__, "db_hosts = a:1:2\n", NULL},
		{__LINE__, "db_hosts = ::1\n", NULL},                   /* IPv6 needs brackets */
		{__LINE__, "db_hosts = [::1\n", NULL},
		{__LINE__, "db_hosts = [::1]x\n", NULL},
		{__LINE__, "db_hosts = []:1\n", NULL},
		{__LINE__, "db_hosts = a b\n", NULL},
		/* Both ways at once: one would be ignored. */
		{__LINE__, "db_hosts = a\ndb_host = b\n", NULL},
		{__LINE__, "db_socket = /s\ndb_hosts = a\n", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[CONFIG_DB_NODES_MAX * 32], err[256];
		struct config cfg;
		int rc = load(cases[i].text, P_32, &cfg, err, sizeof(err));

		if (cases[i].want == NULL) {
			CHECK_AT(rc != 0, cases[i].line, "[%s] accepted", cases[i].text);
			if (rc != 0)
				check_failed(cases[i].line, &cfg, err, NULL);
			else
				config_free(&cfg);
			continue;
		}
		CHECK_AT(rc == 0, cases[i].line, "[%s]: %s", cases[i].text, err);
		if (rc != 0)
			continue;
		nodes_text(&cfg, got, sizeof(got));
		CHECK_AT(strcmp(got, cases[i].want) == 0, cases[i].line, "[%s]: [%s], want [%s]",
		         cases[i].text, got, cases[i].want);
		config_free(&cfg);
	}
}

/* The pepper is the file's bytes; config_free wipes the pepper and the password. */
static void
test_pepper_free(void)
{
	static const char zero[CONFIG_STR_MAX];
	struct config cfg;
	char err[256];
	bool same = true;

	if (load("", P_32, &cfg, err, sizeof(err)) != 0) {
		CHECK(false, "load: %s", err);
		return;
	}
	for (int i = 0; i < APIKEY_PEPPER_LEN; i++)
		same = same && cfg.pepper[i] == i;
	CHECK(same, "the pepper is not the file's 32 bytes");
	CHECK(strcmp(cfg.db_password, PASSWORD) == 0, "db_password [%s]", cfg.db_password);
	config_free(&cfg);
	CHECK(cfg.pepper == NULL && memcmp(cfg.db_password, zero, sizeof(zero)) == 0,
	      "config_free left the pepper or the password");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	make_dir();
	test_lines();
	test_long_lines();
	test_values();
	test_db_nodes();
	test_pepper_free();
	remove_dir();
	return harness_summary();
}
