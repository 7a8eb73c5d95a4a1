#!/usr/bin/env bash
# A private PostgreSQL cluster in one folder, reachable only through a Unix socket in that folder.
#
#   scripts/pg-cluster.sh start DIR [--fast|--durable]   create (first time) and start; prints a libpq connection string
#   scripts/pg-cluster.sh stop DIR             stop it (fast shutdown)
#   scripts/pg-cluster.sh url DIR              print the connection string
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user.
# --fast turns off fsync for throwaway test clusters (never for data you keep).
set -euo pipefail

command=${1:?usage: pg-cluster.sh start|stop|url DIR [--fast]}
dir=${2:?usage: pg-cluster.sh start|stop|url DIR [--fast]}
fast=${3:-}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bin/pg_ctl" ]] || { echo "pg-cluster: PostgreSQL server binaries not found; run scripts/setup.sh" >&2; exit 1; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"
socket="$dir/sock"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  echo "host=$socket dbname=postgres user=postgres"
}

case "$command" in
  start)
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres: "$dir"
      if ! runuser -u postgres -- test -x "$dir"; then
        echo "pg-cluster: the postgres user cannot reach $dir (a parent folder is private); choose another folder" >&2
        exit 3
      fi
    fi
    if (( ${#socket} > 90 )); then
      echo "pg-cluster: socket folder path $socket is too long for a Unix socket; choose a shorter folder" >&2
      exit 3
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
      as_owner mkdir -p "$data" "$socket"
      as_owner chmod 700 "$data"
      # UTF-8 and a UTF-8 locale, whatever the environment says: Turkish text and search need it.
      LANG=C.UTF-8 as_owner "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
      {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$socket'"
        echo "unix_socket_permissions = 0770"
        # The test suite runs its tests at once, each with its own processes and their pools
        # (the scaling tests alone start thirteen); 400 was seen exhausted.
        echo "max_connections = 1000"
        echo "shared_buffers = 128MB"
        if [[ "$fast" == "--fast" ]]; then
          echo "fsync = off"
          echo "synchronous_commit = off"
          echo "full_page_writes = off"
        fi
      } | as_owner tee -a "$data/postgresql.conf" >/dev/null
    fi
    as_owner mkdir -p "$socket"
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 start >/dev/null \
        || { tail -n 20 "$dir/postgres.log" >&2; exit 1; }
    fi
    url
    ;;
  stop)
    if [[ -f "$data/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
    fi
    ;;
  url)
    url
    ;;
  *)
    echo "pg-cluster: unknown command $command" >&2
    exit 2
    ;;
esac
