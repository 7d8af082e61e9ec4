#!/usr/bin/env bash
# Real PostgreSQL and Redis servers on loopback for the store tests, each in a throwaway
# data directory and on a port the kernel had free. PostgreSQL runs without fsync unless
# OAUTH_PG_FSYNC=on (the benchmarks).
#
#   db_servers.sh start DIR             start both; DIR/servers.env says where they are
#   db_servers.sh stop DIR              stop both and delete their data
#   db_servers.sh stop-postgres DIR     stop one (a test of the database going away)...
#   db_servers.sh start-postgres DIR    ...and bring it back on the same port and data
#   db_servers.sh stop-redis DIR | start-redis DIR
set -euo pipefail

command=${1:?usage: db_servers.sh start|stop|start-postgres|stop-postgres|start-redis|stop-redis DIR}
dir=${2:?usage: db_servers.sh $command DIR}
env_file="$dir/servers.env"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/postgres" ] || { echo "db_servers: PostgreSQL server not installed (scripts/bootstrap installs it)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "db_servers: redis-server not installed" >&2; exit 1; }

# PostgreSQL refuses to run as root: then it runs as the postgres user the package made.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "db_servers: no free port found" >&2
  return 1
}

start_postgres() {
  # shellcheck source=/dev/null
  source "$env_file"
  as_postgres "$pg_bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA -c fsync=${OAUTH_PG_FSYNC:-off} -c max_connections=200" start >/dev/null
}

stop_postgres() {
  # shellcheck source=/dev/null
  source "$env_file"
  as_postgres "$pg_bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

start_redis() {
  # shellcheck source=/dev/null
  source "$env_file"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$REDIS_DATA" \
    --pidfile "$REDIS_DATA/redis.pid" --logfile "$REDIS_DATA/redis.log" --save '' --appendonly yes --appendfsync everysec
  # Ready once it answers PONG: while it replays its append-only file it accepts
  # connections but answers LOADING.
  for _ in $(seq 1 200); do
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return
    sleep 0.05
  done
  echo "db_servers: redis did not start; see $REDIS_DATA/redis.log" >&2
  return 1
}

stop_redis() {
  # shellcheck source=/dev/null
  source "$env_file"
  if [ -f "$REDIS_DATA/redis.pid" ]; then
    local pid
    pid=$(cat "$REDIS_DATA/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    rm -f "$REDIS_DATA/redis.pid"
  fi
}

case "$command" in
  start)
    [ -f "$env_file" ] && "$0" stop "$dir"
    mkdir -p "$dir"
    data=$(mktemp -d /tmp/oauth-db-servers.XXXXXX)
    chmod 755 "$data"
    mkdir -p "$data/postgres" "$data/redis"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$data/postgres"
    as_postgres "$pg_bin/initdb" -D "$data/postgres" -U oauth --auth=trust -E UTF8 --no-sync >/dev/null
    for attempt in 1 2 3; do
      pg_port=$(free_port)
      redis_port=$(free_port)
      cat >"$env_file" <<EOF
DATA_ROOT=$data
PG_DATA=$data/postgres
PG_PORT=$pg_port
REDIS_DATA=$data/redis
REDIS_PORT=$redis_port
OAUTH_TEST_POSTGRES_URL=postgresql://oauth@127.0.0.1:$pg_port/oauth_test
OAUTH_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0
EOF
      if start_postgres && start_redis; then break; fi
      stop_postgres
      stop_redis
      [ "$attempt" -eq 3 ] && { echo "db_servers: could not start the servers" >&2; exit 1; }
    done
    as_postgres "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U oauth oauth_test
    echo "PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port (data in $data)"
    ;;
  stop)
    [ -f "$env_file" ] || exit 0
    stop_postgres
    stop_redis
    # shellcheck source=/dev/null
    source "$env_file"
    rm -rf "$DATA_ROOT" "$env_file"
    ;;
  start-postgres) start_postgres ;;
  stop-postgres) stop_postgres ;;
  start-redis) start_redis ;;
  stop-redis) stop_redis ;;
  *) echo "db_servers: unknown command $command" >&2; exit 2 ;;
esac
