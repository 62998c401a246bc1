/*
 * parsesphere-admin: operator commands of docs/api.md ("Operations contract").
 * Prints one JSON object on stdout; on failure a message on stderr and a
 * non-zero exit. scripts/admin runs it with the configuration of `make run`.
 * Like the server it cannot dump core: it holds the pepper, the secrets it
 * creates and the passwords it is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sodium.h>

#include "base/config.h"
#include "core/accounts.h"
#include "core/keyops.h"
#include "core/ratelimit.h"
#include "core/usage.h"
#include "http/render.h"
#include "data/store_accounts.h"
#include "data/store_keys.h"
#include "data/store_web.h"
#include "base/timefmt.h"
#include "base/validate.h"
#include "base/coredump.h"
#include "base/leaksig.h"

#define PASSWORD_MAX 1024

struct admin {
	struct config cfg;
	struct db *db;
	int argc;
	char **argv;
	struct audit_origin origin;      /* of every audit event: "admin" */
};

static int
fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "parsesphere-admin: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int
db_fail(enum db_status rc)
{
	return fail("%s", rc == DB_UNAVAILABLE ? "cannot reach the database" :
	                  rc == DB_DUPLICATE ? "already exists" : "database error");
}

/* A core failure (core/result.h): the database's, as db_fail says it. */
static int
core_fail(enum err e)
{
	return db_fail(e == ERR_SERVICE_UNAVAILABLE ? DB_UNAVAILABLE : DB_ERROR);
}

static int
print(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

/* w's text on stdout; wiped before it is freed, since it may hold a new key's secret. */
static int
print_jsonw(struct jsonw *w)
{
	size_t len = 0;
	char *text = jsonw_take(w, &len);

	if (text == NULL) {
		fprintf(stderr, "parsesphere-admin: out of memory\n");
		return 1;
	}
	puts(text);
	sodium_memzero(text, len);
	free(text);
	return 0;
}

static int
print_account(const struct store_account *acc)
{
	struct jsonw w;

	jsonw_init(&w);
	render_account(&w, acc);
	return print_jsonw(&w);
}

static int
print_org(const struct store_org *org)
{
	struct jsonw w;

	jsonw_init(&w);
	render_org(&w, org);
	return print_jsonw(&w);
}

/* The value of --name style options among argv[from..]; NULL if absent. */
static const char *
option(const struct admin *a, int from, const char *name)
{
	for (int i = from; i + 1 < a->argc; i++)
		if (strcmp(a->argv[i], name) == 0)
			return a->argv[i + 1];
	return NULL;
}

static int
parse_id(const char *s, uint8_t id[UUID_LEN], const char *what)
{
	if (s == NULL || uuid_parse(s, strlen(s), id) != 0)
		return fail("%s must be a UUID", what);
	return 0;
}

/* Same rules as key names: trimmed, 1-100 code points, no control characters. */
static int
parse_name(const char *s, char out[STORE_NAME_MAX + 1])
{
	size_t start, len;

	if (s == NULL || !validate_utf8(s, strlen(s)) ||
	    !validate_name(s, strlen(s), &start, &len))
		return fail("%s", "--name must be 1 to 100 characters without control characters");
	memcpy(out, s + start, len);
	out[len] = '\0';
	return 0;
}

static int
parse_email(const char *s, char *out, size_t cap)
{
	const char *at = s ? strchr(s, '@') : NULL;
	size_t len = s ? strlen(s) : 0;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    len > STORE_EMAIL_MAX || len >= cap || !validate_utf8(s, len))
		return fail("%s", "--email must be an address like name@example.com");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return fail("%s", "--email must not contain spaces or control characters");
	memcpy(out, s, len + 1);
	return 0;
}

/* 0 when the account exists (copied to out if non-NULL); else prints why. */
static int
require_account(struct admin *a, const uint8_t id[UUID_LEN], struct store_account *out)
{
	struct store_account acc;
	bool found;
	enum db_status rc = store_account_get(a->db, id, out ? out : &acc, &found);

	if (rc != DB_OK)
		return db_fail(rc);
	return found ? 0 : fail("%s", "no such account");
}

static int
require_org(struct admin *a, const uint8_t id[UUID_LEN], struct store_org *out)
{
	struct store_org org;
	bool found;
	enum db_status rc = store_org_get(a->db, id, out ? out : &org, &found);

	if (rc != DB_OK)
		return db_fail(rc);
	return found ? 0 : fail("%s", "no such organization");
}

static int
show_account(struct admin *a, const uint8_t id[UUID_LEN])
{
	struct store_account acc;

	return require_account(a, id, &acc) ? 1 : print_account(&acc);
}

static int
show_org(struct admin *a, const uint8_t id[UUID_LEN])
{
	struct store_org org;

	return require_org(a, id, &org) ? 1 : print_org(&org);
}

static int
account_create(struct admin *a)
{
	struct store_account acc = {.is_active = true};
	enum db_status rc;

	if (parse_email(option(a, 2, "--email"), acc.email, sizeof(acc.email)) ||
	    parse_name(option(a, 2, "--name"), acc.name))
		return 1;
	uuid_v7(acc.id, (uint64_t)(timefmt_now_us() / 1000));
	rc = store_account_insert(a->db, &acc, timefmt_now_us());
	if (rc == DB_DUPLICATE)
		return fail("%s", "an account with this e-mail already exists");
	if (rc != DB_OK)
		return db_fail(rc);
	return print_account(&acc);
}

static int
account_set_active(struct admin *a, bool active)
{
	uint8_t id[UUID_LEN];
	enum err e;

	if (parse_id(a->argc > 3 ? a->argv[3] : NULL, id, "ACCOUNT_ID") ||
	    require_account(a, id, NULL))
		return 1;
	if ((e = accounts_set_active(a->db, &a->origin, id, active, timefmt_now_us())) != ERR_NONE)
		return core_fail(e);
	return show_account(a, id);
}

static int
account_set_password(struct admin *a)
{
	uint8_t id[UUID_LEN];
	char *pw = NULL, hash[crypto_pwhash_STRBYTES];
	size_t len;
	enum err e;
	int status = 1;

	if (parse_id(a->argc > 3 ? a->argv[3] : NULL, id, "ACCOUNT_ID"))
		return 1;
	pw = sodium_malloc(PASSWORD_MAX + 2);
	if (pw == NULL)
		return fail("%s", "out of memory");
	/* Unbuffered: no copy of the password in stdio's buffer, which nothing would wipe. */
	setvbuf(stdin, NULL, _IONBF, 0);
	if (fgets(pw, PASSWORD_MAX + 2, stdin) == NULL) {
		fail("%s", "expected the password on standard input");
		goto done;
	}
	len = strcspn(pw, "\r\n");
	if (len == 0 || len > PASSWORD_MAX) {
		fail("%s", "the password must be 1 to 1024 bytes on one line");
		goto done;
	}
	pw[len] = '\0';
	if (require_account(a, id, NULL))
		goto done;
	if (crypto_pwhash_str(hash, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fail("%s", "out of memory while hashing");
		goto done;
	}
	if ((e = accounts_set_password(a->db, id, hash)) != ERR_NONE) {
		core_fail(e);
		goto done;
	}
	status = show_account(a, id);
done:
	sodium_free(pw);   /* wipes */
	sodium_memzero(hash, sizeof(hash));
	return status;
}

static int
org_create(struct admin *a)
{
	struct store_org org = {.is_active = true};
	uint8_t owner[UUID_LEN];
	int64_t now = timefmt_now_us();
	enum err e;

	if (parse_name(option(a, 2, "--name"), org.name) ||
	    parse_id(option(a, 2, "--owner"), owner, "--owner"))
		return 1;
	if (require_account(a, owner, NULL))
		return 1;
	uuid_v7(org.id, (uint64_t)(now / 1000));
	if ((e = accounts_org_create(a->db, &a->origin, &org, owner, now)) != ERR_NONE)
		return core_fail(e);
	return print_org(&org);
}

/* A count option (1 to RATELIMIT_MAX) among argv[from..]; absent: 0 with want false. */
static int
parse_limit(struct admin *a, const char *name, bool want, uint32_t *out)
{
	const char *s = option(a, 4, name);
	uint64_t v;

	*out = 0;
	if (s == NULL && !want)
		return 0;
	if (s == NULL || !validate_uint(s, strlen(s), 1, RATELIMIT_MAX, &v))
		return fail("%s must be an integer from 1 to 100000", name);
	*out = (uint32_t)v;
	return 0;
}

/* org set-rate-limit ORG_ID --per-second N [--burst M]; clear: none. */
static int
org_rate_limit(struct admin *a, bool clear)
{
	struct store_rate_limit rl = {0, 0};
	uint8_t id[UUID_LEN];
	enum err e;

	if (parse_id(a->argc > 3 ? a->argv[3] : NULL, id, "ORG_ID") || require_org(a, id, NULL))
		return 1;
	if (!clear && (parse_limit(a, "--per-second", true, &rl.per_second) ||
	               parse_limit(a, "--burst", false, &rl.burst)))
		return 1;
	/* Without --burst, one second's worth at once (as the API's default). */
	if (rl.burst == 0)
		rl.burst = rl.per_second;
	if ((e = accounts_org_set_rate_limit(a->db, &a->origin, id, &rl, timefmt_now_us())) !=
	    ERR_NONE)
		return core_fail(e);
	return show_org(a, id);
}

static int
org_set_active(struct admin *a, bool active)
{
	uint8_t id[UUID_LEN];
	enum err e;

	if (parse_id(a->argc > 3 ? a->argv[3] : NULL, id, "ORG_ID") || require_org(a, id, NULL))
		return 1;
	if ((e = accounts_org_set_active(a->db, &a->origin, id, active, timefmt_now_us())) !=
	    ERR_NONE)
		return core_fail(e);
	return show_org(a, id);
}

/* ORG_ID ACCOUNT_ID operands of the member commands, both checked to exist. */
static int
member_operands(struct admin *a, uint8_t org[UUID_LEN], uint8_t account[UUID_LEN])
{
	return parse_id(a->argc > 3 ? a->argv[3] : NULL, org, "ORG_ID") ||
	       parse_id(a->argc > 4 ? a->argv[4] : NULL, account, "ACCOUNT_ID") ||
	       require_org(a, org, NULL) || require_account(a, account, NULL);
}

static json_object *
membership_json(const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN])
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "organization_id", render_uuid(org));
	json_object_object_add(o, "account_id", render_uuid(account));
	return o;
}

static int
org_add_member(struct admin *a)
{
	uint8_t org[UUID_LEN], account[UUID_LEN];
	const char *role_s = option(a, 4, "--role");
	enum store_role role = role_s ? store_role_parse(role_s) : ROLE_NONE;
	json_object *o;
	enum err e;

	if (member_operands(a, org, account))
		return 1;
	if (role == ROLE_NONE)
		return fail("%s", "--role must be owner, admin or member");
	if ((e = accounts_member_set(a->db, &a->origin, org, account, role, timefmt_now_us())) !=
	    ERR_NONE)
		return core_fail(e);
	o = membership_json(org, account);
	json_object_object_add(o, "role", json_object_new_string(store_role_name(role)));
	return print(o);
}

static int
org_remove_member(struct admin *a)
{
	uint8_t org[UUID_LEN], account[UUID_LEN];
	bool removed;
	json_object *o;
	enum err e;

	if (member_operands(a, org, account))
		return 1;
	if ((e = accounts_member_remove(a->db, &a->origin, org, account, timefmt_now_us(),
	                                &removed)) != ERR_NONE)
		return core_fail(e);
	if (!removed)
		return fail("%s", "the account is not a member of this organization");
	o = membership_json(org, account);
	json_object_object_add(o, "removed", json_object_new_boolean(true));
	return print(o);
}

/* A new key with its secret, which is wiped once printed. */
static int
print_new_key(const struct store_key *k, char secret[APIKEY_LEN + 1])
{
	struct jsonw w;

	jsonw_init(&w);
	render_new_key(&w, k, secret, timefmt_now_us());
	sodium_memzero(secret, APIKEY_LEN + 1);
	return print_jsonw(&w);
}

/* The key is made as the API makes it: in the account's context, personal or the org's. */
static int
key_create(struct admin *a)
{
	char secret[APIKEY_LEN + 1], name[STORE_NAME_MAX + 1];
	uint8_t account[UUID_LEN], org[UUID_LEN];
	struct auth_context ctx;
	struct store_key k;
	struct store_account acc;
	struct store_org org_row;
	const char *org_s = option(a, 2, "--org");
	enum err e;

	if (parse_id(option(a, 2, "--account"), account, "--account") ||
	    parse_name(option(a, 2, "--name"), name) ||
	    (org_s != NULL && parse_id(org_s, org, "--org")))
		return 1;
	if (require_account(a, account, &acc))
		return 1;
	/* Only what the API would create: nothing for a deactivated account, an org
	 * key only in an active organization of which the account is an active member. */
	if (!acc.is_active)
		return fail("%s", "the account is deactivated");
	if (org_s != NULL && require_org(a, org, &org_row))
		return 1;
	if (org_s != NULL && !org_row.is_active)
		return fail("%s", "the organization is deactivated");
	e = auth_context_account(a->db, account, org_s != NULL ? org : NULL, &ctx);
	if (e == ERR_NOT_ORGANIZATION_MEMBER)
		return fail("%s", "the account is not an active member of that organization");
	if (e == ERR_NONE)
		e = keyops_create(a->db, a->cfg.pepper, &ctx, name, NULL, &a->origin, NULL, &k,
		                  secret);
	if (e != ERR_NONE)
		return core_fail(e);
	return print_new_key(&k, secret);
}

/*
 * Rolls a key as the API would (keyops_roll), whoever owns it, but only
 * where the API could: not for a deactivated account's personal key nor in a
 * deactivated organization.
 */
static int
key_roll(struct admin *a)
{
	char secret[APIKEY_LEN + 1];
	const char *grace_s = option(a, 3, "--grace");
	uint8_t id[UUID_LEN];
	struct store_key old, k;
	struct store_account acc;
	struct store_org org;
	uint64_t grace = 0;
	bool found = false;
	enum db_status rc;
	enum err e;

	if (parse_id(a->argc > 3 ? a->argv[3] : NULL, id, "KEY_ID"))
		return 1;
	if (grace_s != NULL && !validate_uint(grace_s, strlen(grace_s), 0, KEYOPS_GRACE_MAX, &grace))
		return fail("%s", "--grace must be a number of seconds from 0 to 604800");
	if ((rc = store_key_by_id(a->db, id, &old, &found)) != DB_OK)
		return db_fail(rc);
	if (!found)
		return fail("%s", "no such key");
	if (old.has_org ? require_org(a, old.organization_id, &org) :
	                  require_account(a, old.created_by, &acc))
		return 1;
	if (old.has_org ? !org.is_active : !acc.is_active)
		return fail("%s", old.has_org ? "the organization is deactivated" :
		                  "the account is deactivated");
	e = keyops_roll(a->db, a->cfg.pepper, &old, (unsigned)grace, timefmt_now_us(), &a->origin,
	                NULL, &k, secret);
	if (e == ERR_ROLL_REVOKED)
		return fail("%s", "the key is revoked");
	if (e == ERR_API_KEY_ALREADY_ROLLED)
		return fail("%s", "the key has been rolled already");
	if (e != ERR_NONE)
		return core_fail(e);
	return print_new_key(&k, secret);
}

/*
 * The daily job of a cluster (README "Scaling out"): folds every node's rows
 * of each closed day into one, in batches, until none is left.
 */
static int
usage_compact_all(struct admin *a)
{
	unsigned folded, total = 0;
	enum err e;
	json_object *o;

	do {
		e = usage_compact(a->db, timefmt_now_us(), USAGE_COMPACT_MAX, &folded);
		total += folded;
	} while (e == ERR_NONE && folded == USAGE_COMPACT_MAX);
	if (e != ERR_NONE)
		return fail("%s", e == ERR_SERVICE_UNAVAILABLE ? "cannot reach the database (or a "
		                  "conflict with another node: run it again)" : "database error");
	o = json_object_new_object();
	json_object_object_add(o, "folded", json_object_new_uint64(total));
	return print(o);
}

/* GitHub's secret scanning public keys (what `leaks refresh-keys` fetches by default). */
#define LEAKS_KEYS_URL "https://api.github.com/meta/public_keys/secret_scanning"

/*
 * The body at url, fetched by curl(1) run without a shell, into doc (cap
 * bytes): its length, or -1 (curl said why on stderr, or it was too large).
 */
static ssize_t
fetch(const char *url, char *doc, size_t cap)
{
	int fds[2], status = 0;
	size_t n = 0;
	ssize_t got = 0;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("curl", "curl", "-fsSL", "--max-time", "30", "--max-filesize", "65536",
		       "--proto", "=https,http,file", "--proto-redir", "=https",
		       "-H", "Accept: application/json", "--", url, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (n < cap && (got = read(fds[0], doc + n, cap - n)) > 0)
		n += (size_t)got;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return got >= 0 && n < cap && WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
	       (ssize_t)n : -1;
}

/*
 * Replaces path with doc at once: a new file beside it (mode 0644: public
 * keys, read by the server's user), synced, then renamed over the old one,
 * so that a report never reads half a file.
 */
static int
install(const char *path, const char *doc, size_t len)
{
	char tmp[CONFIG_STR_MAX + 16];
	int fd, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
		return -1;
	if (write(fd, doc, len) == (ssize_t)len && fchmod(fd, 0644) == 0 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0 || (rc == 0 && rename(tmp, path) != 0))
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/*
 * leaks refresh-keys [URL]: GitHub's public keys (or URL's) into
 * leak_public_keys_file, only once they are a valid keys document.
 */
static int
leaks_refresh_keys(struct admin *a)
{
	static char doc[LEAKSIG_KEYS_DOC_MAX];
	const char *url = a->argc > 3 ? a->argv[3] : LEAKS_KEYS_URL, *why = NULL;
	const char *path = a->cfg.leak_public_keys_file;
	ssize_t len;
	int keys, usable = 0;
	json_object *o;

	if (path[0] == '\0')
		return fail("%s", "leak_public_keys_file is not set in the configuration");
	if ((len = fetch(url, doc, sizeof(doc))) < 0)
		return fail("cannot download %s", url);
	if ((keys = leaksig_check_document(doc, (size_t)len, &usable, &why)) < 0)
		return fail("not replaced: the keys downloaded are not valid (%s)", why);
	if (install(path, doc, (size_t)len) != 0)
		return fail("cannot write %s", path);
	o = json_object_new_object();
	json_object_object_add(o, "leak_public_keys_file", json_object_new_string(path));
	json_object_object_add(o, "url", json_object_new_string(url));
	json_object_object_add(o, "public_keys", json_object_new_int(keys));
	json_object_object_add(o, "p256_keys", json_object_new_int(usable));
	return print(o);
}

static int account_deactivate(struct admin *a) { return account_set_active(a, false); }
static int account_activate(struct admin *a) { return account_set_active(a, true); }
static int org_deactivate(struct admin *a) { return org_set_active(a, false); }
static int org_activate(struct admin *a) { return org_set_active(a, true); }
static int org_set_rate_limit(struct admin *a) { return org_rate_limit(a, false); }
static int org_clear_rate_limit(struct admin *a) { return org_rate_limit(a, true); }

static const struct {
	const char *group, *verb;
	int (*run)(struct admin *);
} commands[] = {
	{"account", "create", account_create},
	{"account", "deactivate", account_deactivate},
	{"account", "activate", account_activate},
	{"account", "set-password", account_set_password},
	{"org", "create", org_create},
	{"org", "add-member", org_add_member},
	{"org", "remove-member", org_remove_member},
	{"org", "deactivate", org_deactivate},
	{"org", "activate", org_activate},
	{"org", "set-rate-limit", org_set_rate_limit},
	{"org", "clear-rate-limit", org_clear_rate_limit},
	{"key", "create", key_create},
	{"key", "roll", key_roll},
	{"usage", "compact", usage_compact_all},
	{"leaks", "refresh-keys", leaks_refresh_keys},
};

static int (*
find_command(const char *group, const char *verb))(struct admin *)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(group, commands[i].group) == 0 && strcmp(verb, commands[i].verb) == 0)
			return commands[i].run;
	return NULL;
}

static void
usage(void)
{
	fputs("usage: parsesphere-admin [--config FILE] COMMAND\n"
	      "  account create --email E --name N\n"
	      "  account deactivate ID | account activate ID\n"
	      "  account set-password ID            (password on standard input)\n"
	      "  org create --name N --owner ACCOUNT_ID\n"
	      "  org add-member ORG_ID ACCOUNT_ID --role owner|admin|member\n"
	      "  org remove-member ORG_ID ACCOUNT_ID\n"
	      "  org deactivate ORG_ID | org activate ORG_ID\n"
	      "  org set-rate-limit ORG_ID --per-second N [--burst M]   (1 to 100000 each)\n"
	      "  org clear-rate-limit ORG_ID\n"
	      "  key create --account ACCOUNT_ID [--org ORG_ID] --name N\n"
	      "  key roll KEY_ID [--grace SECONDS]       (0 to 604800, default 0)\n"
	      "  usage compact                      (fold closed days' per-node rows)\n"
	      "  leaks refresh-keys [URL]           (GitHub's secret scanning public keys)\n",
	      stderr);
}

int
main(int argc, char **argv)
{
	struct admin a;
	const char *config_path = getenv(CONFIG_ENV);
	char err[512];
	int (*run)(struct admin *);
	int status;

	coredump_disable();   /* it holds the pepper, new secrets and passwords */
	memset(&a, 0, sizeof(a));
	if (argc > 2 && strcmp(argv[1], "--config") == 0) {
		config_path = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || (run = find_command(argv[1], argv[2])) == NULL) {
		usage();
		return 2;
	}
	if (config_path == NULL)
		return fail("no configuration: use --config or set %s", CONFIG_ENV);
	if (sodium_init() < 0)
		return fail("%s", "libsodium failed to initialise");
	if (config_load(&a.cfg, config_path, err, sizeof(err)) != 0)
		return fail("%s", err);
	a.argc = argc;
	a.argv = argv;
	audit_origin(&a.origin, AUDIT_BY_ADMIN, NULL, NULL, NULL);
	a.db = db_new(&a.cfg);
	status = a.db ? run(&a) : fail("%s", "out of memory");
	db_free(a.db);
	config_free(&a.cfg);
	return status;
}
