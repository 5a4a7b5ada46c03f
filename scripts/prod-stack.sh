#!/usr/bin/env bash
# The production stack on one machine, for tests and benchmarks: PostgreSQL and Redis
# (scripts/test-services.sh), a migrated and seeded database, gunicorn with gevent workers
# sharing events through Redis, and nginx in front of it with the proxy rules of
# deploy/nginx/queue.conf. nginx is Debian's binary with its own configuration, prefix, logs
# and pid file in the run directory, over plain HTTP on a free high port: /etc/nginx and the
# system's nginx service are left alone. See docs/deployment.md.
#
#   scripts/prod-stack.sh [start] [DATABASE]   start; first stops what an earlier run started
#   scripts/prod-stack.sh stop                 stop gunicorn and nginx
#   scripts/prod-stack.sh status
#
# Environment:
#   DB_NAME    database (default queue_prod_test; the argument wins), owned by the role
#              queue/queue that test-services.sh creates
#   FRESH=1    drop the database first
#   WORKERS    gunicorn worker processes (default 2)
#   PORT       nginx's port (default: a free one); APP_PORT: gunicorn's (default: a free one)
#   RUN_DIR    run directory (default /tmp/queue-prod-stack)
#
# The run directory then holds: url (nginx's address), env (the stack's settings, to load with
# `set -a; . $RUN_DIR/env; set +a` before a flask command or a benchmark), kiosk.token (a
# kiosk of NA-HCC), gunicorn.pid, nginx.pid, nginx.conf and logs/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=${RUN_DIR:-/tmp/queue-prod-stack}
PY=$ROOT/.venv/bin/python
SITE_CONF=$ROOT/deploy/nginx/queue.conf
NGINX=${NGINX:-/usr/sbin/nginx}

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"

say() { echo "prod-stack: $*"; }
die() {
  echo "prod-stack: $*" >&2
  exit 1
}

action=start
case "${1:-}" in
  start | stop | status)
    action=$1
    shift
    ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
esac
(($# <= 1)) || die "usage: $0 [start] [DATABASE] | stop | status"
DB=${1:-${DB_NAME:-queue_prod_test}}
[[ $DB =~ ^[a-z_][a-z0-9_]*$ ]] || die "database name must be lower-case letters, digits and _: $DB"
WORKERS=${WORKERS:-2}
[[ $WORKERS =~ ^[1-9][0-9]*$ ]] || die "WORKERS must be a positive number: $WORKERS"
[[ $RUN == /* ]] || RUN=$PWD/$RUN
RUN=${RUN%/}

# The pid in FILE if that process is alive, not a zombie, its command line contains PATTERN
# and (optionally) its environment contains VARIABLE: a recycled pid is never taken for ours.
live_pid() {
  local file=$1 pattern=$2 variable=${3:-} pid state
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  if [[ -n $variable ]]; then
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF -- "$variable" || return 1
  fi
  echo "$pid"
}

gone() { # PID: no such process, or only a zombie left
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [[ $state == Z ]]
}

# TERM a master process, wait for it and for the children it had; KILL what outlives 30 s.
stop_tree() {
  local name=$1 pid=$2 children child
  children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
  say "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    gone "$pid" && break
    sleep 0.2
  done
  gone "$pid" || {
    say "$name (pid $pid) still running after 30 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  }
  for child in $children; do
    for _ in $(seq 1 50); do
      gone "$child" && break
      sleep 0.2
    done
    gone "$child" || kill -KILL "$child" 2>/dev/null || true
  done
}

stop_stack() {
  local pid
  if pid=$(live_pid "$RUN/nginx.pid" "$RUN/nginx.conf"); then
    stop_tree nginx "$pid"
  fi
  if pid=$(live_pid "$RUN/gunicorn.pid" gunicorn "INSTANCE_DIR=$RUN/instance"); then
    stop_tree gunicorn "$pid"
  fi
  rm -f "$RUN/nginx.pid" "$RUN/gunicorn.pid" "$RUN/url"
}

status() {
  local pid up=0
  if pid=$(live_pid "$RUN/gunicorn.pid" gunicorn "INSTANCE_DIR=$RUN/instance"); then
    say "gunicorn running, pid $pid, workers: $(ps -o pid= --ppid "$pid" | xargs)"
    up=$((up + 1))
  else
    say "gunicorn not running"
  fi
  if pid=$(live_pid "$RUN/nginx.pid" "$RUN/nginx.conf"); then
    say "nginx running, pid $pid, workers: $(ps -o pid= --ppid "$pid" | xargs)"
    up=$((up + 1))
  else
    say "nginx not running"
  fi
  [[ -s $RUN/url ]] && say "url $(<"$RUN/url")"
  ((up == 2))
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait until URL answers 200; fail early if process PID died. Returns 1 on timeout.
wait_http() {
  local url=$1 pid=$2 seconds=$3
  for _ in $(seq 1 $((seconds * 5))); do
    curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null && return 0
    gone "$pid" && return 1
    sleep 0.2
  done
  return 1
}

# The part of deploy/nginx/queue.conf between "# BEGIN NAME" and "# END NAME".
site_part() {
  local text
  text=$(sed -n "/^[[:space:]]*# BEGIN $1\$/,/^[[:space:]]*# END $1\$/p" "$SITE_CONF")
  [[ -n $text ]] || die "$SITE_CONF has no '# BEGIN $1' ... '# END $1' part"
  printf '%s\n' "$text"
}

start() {
  [[ -x $PY ]] || die "no virtualenv at $ROOT/.venv (run: make install)"
  [[ -x $NGINX ]] || NGINX=$(command -v nginx 2>/dev/null) || true

  stop_stack
  # 9>&-: servers started here (redis-server --daemonize) must not inherit the lock.
  bash "$ROOT/scripts/test-services.sh" 9>&-
  [[ -x $NGINX ]] || NGINX=$(command -v nginx 2>/dev/null) || die "nginx is not installed"

  # The database, owned by the role test-services.sh created.
  local as_postgres=(runuser -u postgres --)
  [[ -n $SUDO ]] && as_postgres=(sudo -u postgres)
  psql_admin() { (cd / && "${as_postgres[@]}" psql -v ON_ERROR_STOP=1 -qtAX "$@"); }
  if [[ ${FRESH:-0} == 1 ]]; then
    say "dropping database $DB"
    psql_admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
  fi
  [[ $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='$DB'") == 1 ]] \
    || psql_admin -c "CREATE DATABASE \"$DB\" OWNER queue"

  local port=${PORT:-} app_port=${APP_PORT:-}
  [[ -n $port ]] || port=$(free_port)
  while [[ -z $app_port || $app_port == "$port" ]]; do app_port=$(free_port); done
  local url=http://127.0.0.1:$port

  mkdir -p "$RUN/logs" "$RUN/instance" "$RUN/nginx-tmp"
  [[ -s $RUN/secret-key ]] || (umask 077 && "$PY" -c 'import secrets; print(secrets.token_hex(32))' >"$RUN/secret-key")

  # The production settings (deploy/queue.env.example), pointed at this machine. The cookie
  # stays non-Secure because this nginx speaks plain HTTP, and QUEUE_ENV development because
  # the stack loads the demo, whose published passwords tests and benchmarks log in with.
  (umask 077 && cat >"$RUN/env" <<EOF
QUEUE_ENV=development
DATABASE_URL=postgresql://queue:queue@127.0.0.1:5432/$DB
SOCKETIO_MESSAGE_QUEUE=redis://127.0.0.1:6379/0
SOCKETIO_CHANNEL=prod-stack-$DB
SECRET_KEY=$(<"$RUN/secret-key")
PUBLIC_BASE_URL=$url
SESSION_COOKIE_SECURE=0
TRUSTED_PROXIES=1
INSTANCE_DIR=$RUN/instance
ATTACHMENTS_DIR=$RUN/instance/attachments
BIND=127.0.0.1:$app_port
WEB_CONCURRENCY=$WORKERS
LOG_LEVEL=info
EOF
  )
  # Passed on when set here, e.g. KIOSK_RATE_LIMIT="1000000 per minute" for a benchmark.
  local name
  for name in KIOSK_RATE_LIMIT RATELIMIT_STORAGE_URI LIVE_STATS_SECONDS DERIVED_CACHE_SECONDS WORKER_CONNECTIONS; do
    [[ -z ${!name:-} ]] || printf '%s="%s"\n' "$name" "${!name}" >>"$RUN/env"
  done
  set -a
  # shellcheck disable=SC1091
  . "$RUN/env"
  set +a

  cd "$ROOT"
  say "migrating $DB"
  "$PY" -m flask --app wsgi db upgrade
  "$PY" -m flask --app wsgi seed-demo

  say "starting gunicorn: $WORKERS gevent workers on 127.0.0.1:$app_port"
  : >"$RUN/logs/gunicorn.log"
  : >"$RUN/logs/nginx-error.log"
  : >"$RUN/logs/nginx-access.log"
  # setsid: a Ctrl-C in this terminal later does not reach the stack. 9>&-: the lock stays ours.
  setsid "$PY" -m gunicorn -c gunicorn.conf.py --pid "$RUN/gunicorn.pid" wsgi:app \
    </dev/null >>"$RUN/logs/gunicorn.log" 2>&1 9>&- &
  local gunicorn_pid=$!
  if ! wait_http "http://127.0.0.1:$app_port/api/v1/sites" "$gunicorn_pid" 60; then
    tail -n 30 "$RUN/logs/gunicorn.log" >&2
    stop_stack
    die "gunicorn did not answer (log: $RUN/logs/gunicorn.log)"
  fi

  # nginx: the http part (upstream, map) and the proxy rules of the production site, the
  # upstream pointed at this gunicorn, in a plain-HTTP server on $port.
  site_part "http part" \
    | sed -E "s/^([[:space:]]*)server[[:space:]]+[^;#[:space:]]+([^;#]*);/\1server 127.0.0.1:$app_port\2;/" \
      >"$RUN/nginx-http.conf"
  grep -q "server 127.0.0.1:$app_port" "$RUN/nginx-http.conf" || die "no upstream server line in $SITE_CONF"
  site_part "proxy rules" >"$RUN/nginx-proxy.conf"
  local user_line="" nofile
  [[ $(id -u) -eq 0 ]] && user_line="user nobody nogroup;"
  # Every WebSocket costs nginx two descriptors (client, gunicorn): as many as allowed here.
  nofile=$(ulimit -Hn)
  [[ $nofile =~ ^[0-9]+$ ]] && ((nofile <= 65536)) || nofile=65536
  cat >"$RUN/nginx.conf" <<EOF
# Written by scripts/prod-stack.sh on each start, from deploy/nginx/queue.conf.
$user_line
worker_processes auto;
worker_rlimit_nofile $nofile;
pid $RUN/nginx.pid;
error_log $RUN/logs/nginx-error.log warn;

events {
    worker_connections $((nofile / 2));
}

http {
    default_type application/octet-stream;
    access_log $RUN/logs/nginx-access.log;
    client_body_temp_path $RUN/nginx-tmp/client_body;
    proxy_temp_path $RUN/nginx-tmp/proxy;
    fastcgi_temp_path $RUN/nginx-tmp/fastcgi;
    uwsgi_temp_path $RUN/nginx-tmp/uwsgi;
    scgi_temp_path $RUN/nginx-tmp/scgi;

    include $RUN/nginx-http.conf;

    server {
        listen 127.0.0.1:$port;
        server_name _;
        include $RUN/nginx-proxy.conf;
    }
}
EOF
  local nginx_args=(-p "$RUN/" -c "$RUN/nginx.conf" -e "$RUN/logs/nginx-error.log")
  "$NGINX" "${nginx_args[@]}" -t -q 9>&- || {
    stop_stack
    die "nginx refused $RUN/nginx.conf"
  }
  say "starting nginx on $url"
  "$NGINX" "${nginx_args[@]}" </dev/null 9>&- || {
    stop_stack
    die "nginx did not start (log: $RUN/logs/nginx-error.log)"
  }
  local nginx_pid=""
  for _ in $(seq 1 50); do
    nginx_pid=$(live_pid "$RUN/nginx.pid" "$RUN/nginx.conf") && break
    sleep 0.1
  done
  if [[ -z $nginx_pid ]] || ! wait_http "$url/api/v1/sites" "$nginx_pid" 20; then
    tail -n 20 "$RUN/logs/nginx-error.log" >&2 || true
    stop_stack
    die "nginx did not answer on $url"
  fi

  # A kiosk token of the demo centre for tests, kept while the database still knows it.
  if ! [[ -s $RUN/kiosk.token ]] || ! curl -fsS -o /dev/null --max-time 5 \
    -H "Authorization: Bearer $(<"$RUN/kiosk.token")" "$url/api/v1/devices/me"; then
    (umask 077 && "$PY" -m flask --app wsgi create-device-token --kind kiosk --site NA-HCC \
      --name "prod-stack kiosk" | tail -n 1 >"$RUN/kiosk.token")
  fi

  echo "$url" >"$RUN/url"
  say "up: gunicorn $gunicorn_pid ($WORKERS workers, 127.0.0.1:$app_port), nginx $nginx_pid; database $DB"
  local again=""
  [[ -z ${RUN_DIR:-} ]] || again="RUN_DIR=$RUN "
  say "settings in $RUN/env, logs in $RUN/logs, stop with: $again$0 stop"
  echo "$url"
}

mkdir -p "$RUN"
# One invocation at a time per run directory.
exec 9>"$RUN/.lock"
flock -w 120 9 || die "another prod-stack.sh holds $RUN/.lock"

case $action in
  start) start ;;
  stop)
    stop_stack
    say "stopped"
    ;;
  status) status ;;
esac
