# shellcheck shell=bash
# A private MariaDB Galera cluster and web hosts in front of it, on one
# machine, as root (scripts/cluster-test; README "Scaling out"):
#   three nodes on 127.0.0.71-73 (CLUSTER_NET), each with its own datadir,
#   the MariaDB port BASE+5, Galera's group port BASE+6, IST BASE+7 and the
#   rsync SST BASE+8 on its own address;
#   web hosts: a worker pool and lighttpd on 127.0.0.1:PORT each, listing the
#   nodes in the order given (its own first), all sharing one pepper.
# Sourced after scripts/stack.sh, whose stack_init / stack_app_start /
# stack_web_start / stop_pid run each web host in its own directory.
#
#   cluster_init DIR BASE       set the paths; create DIR
#   cluster_bootstrap           node 1, a new cluster
#   cluster_node_start N        node N (2, 3) joins: an SST if it is new
#   cluster_node_restart N      node N again after a crash: recovery, then IST
#   cluster_setup               the database, the application's user, the schema
#   cluster_host_start NAME PORT N...   a web host on PORT using nodes N...
#   cluster_host_repool NAME PORT N...  its worker pool again, using nodes N...
#   cluster_stop                everything started (safe to repeat)

CLUSTER_NET=${CLUSTER_NET:-127.0.0.7}   # node N listens on ${CLUSTER_NET}N
CLUSTER_NODES="1 2 3"

cluster_init() {
	CDIR=$(mkdir -p "$1" && cd "$1" && pwd)
	CBASE=$2
	C_SQL_PORT=$((CBASE + 5)) C_GCOMM_PORT=$((CBASE + 6))
	C_IST_PORT=$((CBASE + 7)) C_SST_PORT=$((CBASE + 8))
	C_HOSTS=""
}

cluster_addr() {   # cluster_addr N: the node's address
	echo "$CLUSTER_NET$1"
}

cluster_sql() {   # cluster_sql N ARGS...: a client of node N, as root, over its socket
	local n=$1
	shift
	mariadb --defaults-file="$CDIR/n$n/my.cnf" "$@"
}

# One node's status variable (SHOW GLOBAL STATUS), "" when it does not answer.
cluster_status() {   # cluster_status N NAME
	cluster_sql "$1" -N -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | cut -f2
}

# The node settings README "Scaling out" documents: small memory, rsync SST,
# and failure detection in seconds rather than Galera's WAN-friendly defaults.
cluster_node_cnf() {   # cluster_node_cnf N
	local n=$1 d=$CDIR/n$1 addr peers="" i
	addr=$(cluster_addr "$n")
	for i in $CLUSTER_NODES; do
		peers="$peers${peers:+,}$(cluster_addr "$i"):$C_GCOMM_PORT"
	done
	# The nodes run as mysql: the rsync SST's daemon, started by the joiner,
	# would drop from root to nobody and could not write the datadir.
	mkdir -p "$d/data" && chown mysql: "$d" "$d/data"
	db_cnf_head "$d" "$d/data" mysql >"$d/my.cnf"
	cat >>"$d/my.cnf" <<CNF
bind-address=$addr
port=$C_SQL_PORT
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
character-set-server=utf8mb4
collation-server=utf8mb4_bin
binlog_format=ROW
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=parsesphere-test
wsrep_cluster_address=gcomm://$peers
wsrep_node_name=n$n
wsrep_node_address=$addr:$C_GCOMM_PORT
wsrep_node_incoming_address=$addr:$C_SQL_PORT
wsrep_sst_method=rsync
wsrep_sst_receive_address=$addr:$C_SST_PORT
wsrep_slave_threads=2
wsrep_provider_options="gmcast.listen_addr=tcp://$addr:$C_GCOMM_PORT;ist.recv_addr=$addr:$C_IST_PORT;gcache.size=64M;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs.install_timeout=PT4S"
CNF
}

# Node 1 starts the cluster: a new datadir, then --wsrep-new-cluster.
cluster_bootstrap() {
	local d=$CDIR/n1
	cluster_node_cnf 1
	mariadb-install-db --defaults-file="$d/my.cnf" --user=mysql --skip-test-db \
		--auth-root-authentication-method=socket >"$d/install-db.log" 2>&1 ||
		{ cat "$d/install-db.log" >&2; return 1; }
	cluster_node_start 1 --wsrep-new-cluster
}

# Another node joins (a state transfer when its datadir is empty or too old).
cluster_node_start() {   # cluster_node_start N [MARIADBD-OPTIONS...]
	local n=$1 d=$CDIR/n$1
	shift
	[ -f "$d/my.cnf" ] || cluster_node_cnf "$n"
	mariadbd --defaults-file="$d/my.cnf" "$@" >/dev/null 2>&1 &
	echo $! >"$d/mysqld.pid.run"
	disown   # the tests kill -9 nodes: no "Killed" notice from the shell
	cluster_wait_synced "$n" 120
}

# A node that died (kill -9) does not know where it stopped: --wsrep-recover
# reads it from InnoDB, and starting from there the node needs only the
# write sets it missed (IST from a peer's gcache), not a whole copy (SST).
cluster_node_restart() {   # cluster_node_restart N
	local d=$CDIR/n$1 pos
	mariadbd --defaults-file="$d/my.cnf" --wsrep-recover --log-error="$d/recover.log" \
		>/dev/null 2>&1
	pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$d/recover.log" | tail -n 1)
	cluster_node_start "$1" ${pos:+--wsrep-start-position="$pos"}
}

cluster_synced() {   # cluster_synced N: the node is a synced member of the primary component
	[ "$(cluster_status "$1" wsrep_local_state_comment)" = Synced ] &&
		[ "$(cluster_status "$1" wsrep_cluster_status)" = Primary ]
}

# Synced, or the node's process is gone (an SST that failed aborts it).
cluster_synced_or_dead() {   # cluster_synced_or_dead N
	cluster_synced "$1" || ! kill -0 "$(cat "$CDIR/n$1/mysqld.pid.run")" 2>/dev/null
}

cluster_wait_synced() {   # cluster_wait_synced N SECONDS
	if ! wait_for "$2" "Galera node $1 (synced)" cluster_synced_or_dead "$1" ||
		! cluster_synced "$1"; then
		echo "cluster: node $1 is not synced" >&2
		tail -20 "$CDIR/n$1/mysqld.log" >&2
		return 1
	fi
}

# The database, an application user reachable over the nodes' addresses with
# only the rights it needs (db_grants_sql), the schema: through node 1, replicated.
cluster_setup() {
	if [ ! -s "$CDIR/db_password" ]; then
		(umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$CDIR/db_password")
	fi
	cluster_sql 1 <<SQL || return 1
CREATE DATABASE IF NOT EXISTS parsesphere CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'parsesphere'@'127.%' IDENTIFIED BY '$(cat "$CDIR/db_password")';
SQL
	"$PS_ROOT/scripts/migrate" "$CDIR/n1/my.cnf" parsesphere || return 1
	db_grants_sql "'parsesphere'@'127.%'" | cluster_sql 1 || return 1
	(umask 077; head -c 32 /dev/urandom >"$CDIR/pepper")
	chown "$APP_USER:" "$CDIR/pepper"
}

# A web host's configuration: its own state directory (app.sock, logs,
# lighttpd), the shared pepper, db_hosts listing the given nodes in order,
# causal reads on (CAUSAL_READS=off: off).
cluster_host_config() {   # cluster_host_config NAME PORT N...
	local name=$1 port=$2 hosts="" n
	shift 2
	for n in "$@"; do
		hosts="$hosts${hosts:+, }$(cluster_addr "$n"):$C_SQL_PORT"
	done
	stack_init "$CDIR/$name" "$port"
	(umask 077; cat >"$CONF" <<CONF
# Written by scripts/cluster.sh: web host $name of the cluster in $CDIR.
db_hosts = $hosts
db_causal_reads = ${CAUSAL_READS:-on}
db_user = parsesphere
db_password = $(cat "$CDIR/db_password")
db_name = parsesphere
db_timeout = ${CLUSTER_DB_TIMEOUT:-2}
pepper_file = $CDIR/pepper
listen = $STATE/app.sock
workers = $WORKERS
CONF
	)
	chown "$APP_USER:" "$CONF"
}

cluster_host_start() {   # cluster_host_start NAME PORT N...
	cluster_host_config "$@" || return 1
	C_HOSTS="$C_HOSTS $STATE"
	stack_app_start && stack_web_start
}

# The host's pool again with another configuration (lighttpd stays).
cluster_host_repool() {   # cluster_host_repool NAME PORT N...
	cluster_host_config "$@" || return 1
	stop_pid "$STATE/app.pid" 15
	stack_app_start
}

cluster_stop() {
	local s n
	for s in $C_HOSTS; do
		STATE=$s stop_pid "$s/lighttpd.pid.run" 10
		STATE=$s stop_pid "$s/app.pid" 15
	done
	for n in $CLUSTER_NODES; do
		[ -n "${CDIR:-}" ] && stop_pid "$CDIR/n$n/mysqld.pid.run" 30
	done
}
