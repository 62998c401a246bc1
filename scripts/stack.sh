# shellcheck shell=bash
# Start and stop a private stack: MariaDB (its own datadir and socket, no TCP
# port), the FastCGI pool and lighttpd on 127.0.0.1. Sourced by scripts/run,
# scripts/test and scripts/admin; every function works on $STATE.
#
#   stack_init DIR PORT   set the paths; create DIR
#   stack_start           database, schema, config, workers, the /v1/parses
#                         demo backend, web server
#   stack_stop            stop whatever of it is running (safe to repeat)

PS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$PS_ROOT/build}
WORKERS=${WORKERS:-4}          # prefork workers of the FastCGI server
APP_WRAPPER=${APP_WRAPPER:-}
APP_USER=parsesphere           # the pool's own user (parsesphere-fcgi's default --user)
# USAGE_TRACKING=off disables usage counters, REQUEST_LOG=off the request log and
# METRICS=off the metrics (for the benchmark's comparisons).

stack_init() {
	STATE=$(mkdir -p "$1" && cd "$1" && pwd)
	PORT=$2
	CNF=$STATE/my.cnf
	CONF=$STATE/parsesphere.conf
	SPAWNED_DIR=$STATE/spawned   # secrets of the modes where the web server spawns the app
	SPAWNED_CONF=$SPAWNED_DIR/parsesphere.conf
	# The web servers' configurations read these (PS_BUILD: Apache's mod_fcgid).
	case $BUILD in
	/*) PS_BUILD=$BUILD ;;
	*) PS_BUILD=$PWD/$BUILD ;;
	esac
	export PS_ROOT PS_RUN_DIR="$STATE" PS_PORT="$PORT" PS_BUILD
}

# Every MariaDB client call: --defaults-file must come first (STACK-NOTES.md).
db_sql() {
	mariadb --defaults-file="$CNF" "$@"
}

wait_for() {   # wait_for SECONDS DESCRIPTION COMMAND...
	local t=$(( $1 * 10 )) what=$2
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		if [ "$t" -le 0 ]; then
			echo "stack: $what did not come up" >&2
			return 1
		fi
		sleep 0.1
	done
}

# The head of a private MariaDB's defaults file: root's client over the socket
# in DIR, where the server keeps its pid file and log too.
db_cnf_head() {   # db_cnf_head DIR DATADIR USER
	cat <<CNF
[client]
socket=$1/mysql.sock
user=root
[mariadbd]
user=$3
datadir=$2
socket=$1/mysql.sock
pid-file=$1/mysqld.pid
log-error=$1/mysqld.log
# Every request's authentication statement, and the key lists, are answered
# from the query cache until a table they read changes (README, "Deploying";
# docs/bench.md): about 30 instead of 100 to 160 µs of server CPU a request.
query_cache_type=1
query_cache_size=32M
CNF
}

stack_db_start() {
	db_cnf_head "$STATE" "$STATE/mysql" root >"$CNF"
	cat >>"$CNF" <<CNF
skip-networking
innodb_buffer_pool_size=128M
character-set-server=utf8mb4
collation-server=utf8mb4_bin
CNF
	# The tests log every statement the server sees, to prove no secret reaches it.
	if [ -n "${MYSQL_GENERAL_LOG:-}" ]; then
		printf 'general_log=1\ngeneral_log_file=%s\n' "$STATE/mysqld-general.log" >>"$CNF"
	fi
	if [ ! -d "$STATE/mysql/mysql" ]; then
		mariadb-install-db --defaults-file="$CNF" --user=root --skip-test-db \
			--auth-root-authentication-method=socket >"$STATE/install-db.log" 2>&1 ||
			{ cat "$STATE/install-db.log" >&2; return 1; }
	fi
	mariadbd --defaults-file="$CNF" >/dev/null 2>&1 &
	wait_for 30 "MariaDB" mariadb-admin --defaults-file="$CNF" ping ||
		{ tail -20 "$STATE/mysqld.log" >&2; return 1; }
}

# The application user's rights, as SQL, for ACCOUNT ('user'@'host'): table
# by table (a grant on the whole database would include UPDATE and DELETE of
# the audit log), so a new table needs its line here. The audit log and the
# leak reports are append-only for the service: INSERT and SELECT, nothing
# else. REVOKE ALL first takes back what an earlier setup granted (a
# database-wide grant of older versions included). The tables must exist.
db_grants_sql() {   # db_grants_sql ACCOUNT
	local t
	echo "REVOKE ALL PRIVILEGES, GRANT OPTION FROM $1;"
	for t in accounts organizations memberships api_keys api_key_usage_daily \
		dashboard_sessions dashboard_new_keys login_throttle api_key_counters \
		api_key_usage_node_daily; do
		echo "GRANT SELECT, INSERT, UPDATE, DELETE ON parsesphere.$t TO $1;"
	done
	echo "GRANT SELECT, INSERT, DELETE ON parsesphere.usage_flushes TO $1;"
	echo "GRANT SELECT, INSERT ON parsesphere.audit_events TO $1;"
	echo "GRANT SELECT, INSERT ON parsesphere.api_key_leaks TO $1;"
}

# The database, the schema, and an application user with only the rights it
# needs (db_grants_sql).
stack_db_setup() {
	local pw
	if [ ! -s "$STATE/db_password" ]; then
		(umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$STATE/db_password")
	fi
	pw=$(cat "$STATE/db_password")
	db_sql <<SQL || return 1
CREATE DATABASE IF NOT EXISTS parsesphere CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'parsesphere'@'localhost' IDENTIFIED BY '$pw';
SQL
	"$PS_ROOT/scripts/migrate" "$CNF" parsesphere || return 1
	db_grants_sql "'parsesphere'@'localhost'" | db_sql
}

# The pool's own system user, created when missing: it alone reads the
# secrets; the web server shares only the socket's group with it.
stack_app_user() {
	id -u "$APP_USER" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin "$APP_USER"
}

# The server's configuration into FILE, naming PEPPER_FILE (mode 0600).
write_config() {   # write_config FILE PEPPER_FILE
	(umask 077; cat >"$1" <<CONF
# Written by scripts/stack.sh for the private stack in $STATE.
db_socket = $STATE/mysql.sock
db_user = parsesphere
db_password = $(cat "$STATE/db_password")
db_name = parsesphere
pepper_file = $2
listen = $STATE/app.sock
workers = $WORKERS
usage_tracking = ${USAGE_TRACKING:-on}
request_log = ${REQUEST_LOG:-stderr}
metrics = ${METRICS:-on}
leak_public_keys_file = $STATE/leak-public-keys.json
CONF
	)
}

stack_config() {
	stack_app_user || return 1
	if [ ! -s "$STATE/pepper" ]; then
		(umask 077; head -c 32 /dev/urandom >"$STATE/pepper")
	fi
	write_config "$CONF" "$STATE/pepper"
	# The master reads both as root, drops to $APP_USER and re-reads them on
	# SIGHUP: that user's files alone, out of reach of the web server's user.
	chown "$APP_USER:" "$STATE/pepper" "$CONF" && chmod 0600 "$STATE/pepper" "$CONF"
}

# Where the web server spawns the server itself (Apache's mod_fcgid, the
# .htaccess wrapper, lighttpd bin-path), the server runs as the web server's
# user and must read its secrets as that user: the shared-host trade-off, in
# which every script that web server runs can read the pepper and the
# database password too. The test stack accepts it for those modes only, with
# a copy of both readable by www-data in $SPAWNED_DIR (never made by
# `make run`); a real deployment keeps the pool (mod_proxy_fcgi, lighttpd's
# external socket) or wraps the server with suexec (README, "Deploying").
stack_spawned_config() {
	mkdir -p "$SPAWNED_DIR" &&
		cp "$STATE/pepper" "$SPAWNED_DIR/pepper" &&
		write_config "$SPAWNED_CONF" "$SPAWNED_DIR/pepper" &&
		chgrp www-data "$SPAWNED_DIR/pepper" "$SPAWNED_CONF" &&
		chmod 0640 "$SPAWNED_DIR/pepper" "$SPAWNED_CONF"
}

stack_app_start() {
	rm -f "$STATE/app.sock"
	# APP_WRAPPER: a command to run the server under (the tests' valgrind pass).
	# shellcheck disable=SC2086
	$APP_WRAPPER "$BUILD/parsesphere-fcgi" --config "$CONF" >>"$STATE/app.log" 2>&1 &
	echo $! >"$STATE/app.pid"
	wait_for 30 "the FastCGI server" test -S "$STATE/app.sock"
}

# The demo backend of GET /v1/parses behind the FastCGI Authorizer
# (conf/lighttpd.conf): spawn-fcgi binds the socket, becomes www-data and
# runs it in its place (no fork), so the pid is the backend's.
stack_demo_start() {
	rm -f "$STATE/parses-demo.sock"
	spawn-fcgi -n -s "$STATE/parses-demo.sock" -u www-data -- \
		"$BUILD/parsesphere-parses-demo" >>"$STATE/parses-demo.log" 2>&1 &
	echo $! >"$STATE/parses-demo.pid"
	wait_for 10 "the /v1/parses demo backend" test -S "$STATE/parses-demo.sock"
}

# lighttpd opens its error log once it is www-data (server.username in
# conf/lighttpd-common.conf): the file is www-data's; its pid file it writes
# as root, before.
lighttpd_log() {   # lighttpd_log INSTANCE
	touch "$STATE/$1.log" && chown www-data:www-data "$STATE/$1.log"
}

stack_web_start() {
	lighttpd_log lighttpd || return 1
	lighttpd -D -f "$PS_ROOT/conf/lighttpd.conf" >>"$STATE/lighttpd.log" 2>&1 &
	echo $! >"$STATE/lighttpd.pid.run"
	wait_for 10 "lighttpd" curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"
}

# A second lighttpd on PORT that spawns the server itself (bin-path mode), as
# www-data, in a socket directory of its own.
stack_lighttpd_binpath_start() {
	lighttpd_log lighttpd-binpath && stack_spawned_config && mkdir -p "$STATE/lighttpd-run" &&
		chown www-data:www-data "$STATE/lighttpd-run" || return 1
	PS_PORT=$1 PS_CONFIG=$SPAWNED_CONF lighttpd -D -f "$PS_ROOT/conf/lighttpd-binpath.conf" \
		>>"$STATE/lighttpd-binpath.log" 2>&1 &
	echo $! >"$STATE/lighttpd-binpath.pid.run"
	wait_for 15 "lighttpd (bin-path)" curl -sf -o /dev/null "http://127.0.0.1:$1/healthz"
}

# Apache as a shared host would run it, on PORT: only a web directory with
# conf/apache/htaccess.example as .htaccess and a wrapper naming the config.
stack_apache_htaccess_start() {
	export PS_APACHE_HTACCESS_PORT=$1
	stack_spawned_config || return 1
	mkdir -p "$STATE/htdocs" "$STATE/fcgid-htaccess" "$STATE/apache-htaccess-run"
	chown www-data:www-data "$STATE/fcgid-htaccess"
	cp "$PS_ROOT/conf/apache/htaccess.example" "$STATE/htdocs/.htaccess"
	printf '#!/bin/sh\nexec %s/parsesphere-fcgi --config %s\n' "$PS_BUILD" "$SPAWNED_CONF" \
		>"$STATE/htdocs/parsesphere.fcgi"
	chmod 0755 "$STATE/htdocs/parsesphere.fcgi"
	apache2 -f "$PS_ROOT/conf/apache/htaccess-test-server.conf" -DFOREGROUND \
		>>"$STATE/apache-htaccess-error.log" 2>&1 &
	echo $! >"$STATE/apache-htaccess.pid.run"
	wait_for 15 "Apache (.htaccess)" curl -sf -o /dev/null "http://127.0.0.1:$1/healthz"
}

# Apache (conf/apache/test-server.conf): mod_fcgid spawning the server itself
# on PORT, mod_proxy_fcgi in front of the running pool on PORT + 1.
stack_apache_start() {
	APACHE_PORT=$1
	export PS_APACHE_PORT=$APACHE_PORT PS_APACHE_PROXY_PORT=$((APACHE_PORT + 1))
	export PS_CONFIG=$SPAWNED_CONF
	stack_spawned_config || return 1
	mkdir -p "$STATE/fcgid" "$STATE/apache-run"
	chown www-data:www-data "$STATE/fcgid"
	apache2 -f "$PS_ROOT/conf/apache/test-server.conf" -DFOREGROUND \
		>>"$STATE/apache-error.log" 2>&1 &
	echo $! >"$STATE/apache.pid.run"
	wait_for 15 "Apache" curl -sf -o /dev/null "http://127.0.0.1:$APACHE_PORT/healthz"
}

stack_start() {
	stack_db_start && stack_db_setup && stack_config && stack_app_start &&
		stack_demo_start && stack_web_start
}

# Sends SIGTERM to the pid in FILE and waits up to SECONDS for it to exit.
stop_pid() {   # stop_pid FILE SECONDS
	local pid t=$(( $2 * 10 ))
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
	while kill -0 "$pid" 2>/dev/null && [ "$t" -gt 0 ]; do
		sleep 0.1
		t=$((t - 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$1"
}

stack_stop() {
	# lighttpd -D deletes its own pid file on exit: we keep the pid we started.
	stop_pid "$STATE/lighttpd.pid.run" 10
	stop_pid "$STATE/lighttpd-binpath.pid.run" 10
	stop_pid "$STATE/apache.pid.run" 20
	stop_pid "$STATE/apache-htaccess.pid.run" 20
	stop_pid "$STATE/app.pid" 15
	stop_pid "$STATE/parses-demo.pid" 5
	stop_pid "$STATE/mysqld.pid" 30
}
