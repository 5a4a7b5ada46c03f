#!/usr/bin/env bash
# Start the PostgreSQL and Redis servers that the tests and benchmarks use (installing the
# project's Debian packages first), and create the test role and database. Safe to run again.
#   PostgreSQL: postgresql://queue:queue@127.0.0.1:5432/queue_test
#   Redis:      redis://127.0.0.1:6379/0
set -euo pipefail

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"

bash "$(dirname "$0")/system-deps.sh"

# PostgreSQL: start the first cluster Debian created.
read -r version cluster _ < <(pg_lsclusters --no-header | head -n 1)
if [[ -z "${version:-}" ]]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  $SUDO pg_createcluster "$version" main >/dev/null
  cluster=main
fi
$SUDO pg_ctlcluster "$version" "$cluster" start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
as_postgres=(runuser -u postgres --)
[[ -n "$SUDO" ]] && as_postgres=(sudo -u postgres)
psql_admin() { "${as_postgres[@]}" psql -v ON_ERROR_STOP=1 -qtAX "$@"; }
[[ $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='queue'") == 1 ]] \
  || psql_admin -c "CREATE ROLE queue LOGIN PASSWORD 'queue' CREATEDB"
[[ $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname='queue_test'") == 1 ]] \
  || psql_admin -c "CREATE DATABASE queue_test OWNER queue"

# Redis: a server without persistence, in the background.
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break
    sleep 0.2
  done
fi
echo "PostgreSQL $version and Redis are running."
