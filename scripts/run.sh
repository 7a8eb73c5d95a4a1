#!/usr/bin/env bash
# `make run`: the whole suite on this machine. Installs what is missing, builds in release, starts a
# local PostgreSQL (unless DATABASE_URL is set), migrates, starts the five processes and waits.
# Ctrl-C (or SIGTERM) stops every process and the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/setup.sh
echo "run: building (release)…"
swift build -c release
bin=$(swift build -c release --show-bin-path)

data=${SWITCHBOARD_DATA_DIR:-$root/.data}
mkdir -p "$data"
data=$(cd "$data" && pwd)
export SWITCHBOARD_RUNTIME_DIR=${SWITCHBOARD_RUNTIME_DIR:-$data/run}
export SWITCHBOARD_HTTP_PORT=${SWITCHBOARD_HTTP_PORT:-8080}

pids=()
cluster=""
stopping=0
stop_all() {
  ((stopping)) && return
  stopping=1
  trap - INT TERM
  echo
  echo "run: stopping…"
  # Background jobs of a script ignore SIGINT, and the postmaster has its own session: stop each one.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$cluster" ]]; then scripts/pg-cluster.sh stop "$cluster" || true; fi
  echo "run: stopped"
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

if [[ -z "${DATABASE_URL:-}" ]]; then
  cluster="$data/postgres"
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$data" 2>/dev/null; then
    # A clone under a private home folder: the postgres user cannot enter it.
    fallback="/var/tmp/switchboard-$(echo -n "$data" | md5sum | cut -c1-8)"
    echo "run: the postgres user cannot reach $data; keeping the database in $fallback instead"
    cluster="$fallback"
  fi
  url=$(scripts/pg-cluster.sh start "$cluster")
  psql "$url" -Atqc "SELECT 1 FROM pg_database WHERE datname = 'switchboard'" | grep -q 1 \
    || psql "$url" -qc "CREATE DATABASE switchboard ENCODING 'UTF8' TEMPLATE template0"
  DATABASE_URL="${url/dbname=postgres/dbname=switchboard}"
  export DATABASE_URL
  echo "run: PostgreSQL in $cluster (Unix socket only)"
fi

for service in gateway conversation pool ticketing notification; do
  "$bin/switchboard-$service" migrate
done
# Each process in its own session: Ctrl-C reaches this script only, which then stops them in order.
# Should this script die without stopping them (kill -9), the kernel sends each one SIGTERM.
export SWITCHBOARD_EXIT_WITH_PARENT=1
for service in conversation pool ticketing notification gateway; do
  setsid "$bin/switchboard-$service" &
  pids+=($!)
done

for _ in $(seq 1 300); do
  if curl -fsS "http://127.0.0.1:$SWITCHBOARD_HTTP_PORT/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
echo "run: Switchboard is up at http://127.0.0.1:$SWITCHBOARD_HTTP_PORT/  (readiness: /readyz, metrics: /metrics). Ctrl-C stops everything."

# Wait until one process ends (or Ctrl-C); then stop the rest.
set +e
wait -n "${pids[@]}"
status=$?
if ((! stopping)); then
  echo "run: a process exited with status $status; stopping the others" >&2
  exit 1
fi
