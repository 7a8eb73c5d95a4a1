#!/usr/bin/env bash
# `make test`: installs what is missing, starts a throwaway PostgreSQL (unless TEST_DATABASE_URL
# is given), builds everything and runs every test, the compose deployment's last. Exits non-zero on any failure or on a
# compiler warning in our own code.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test

if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  cluster=$(mktemp -d /tmp/sbtest.XXXXXX)
  chmod 755 "$cluster"
  trap 'scripts/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$cluster"' EXIT
  TEST_DATABASE_URL=$(scripts/pg-cluster.sh start "$cluster" --fast)
  export TEST_DATABASE_URL
  echo "test: throwaway PostgreSQL at $cluster"
fi

# Formatting is part of the build: the rules are in .swift-format (`swift format -i -r .` fixes).
swift format lint --strict -r Shared Services Tests Package.swift

log=$(mktemp /tmp/sbbuild.XXXXXX)
swift build --build-tests 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if ((status != 0)); then exit "$status"; fi
# Warnings are errors for our code (dependencies are theirs to fix).
if grep -E "^$PWD/(Shared|Services|Tests)/.*: warning:" "$log" | sort -u; then
  echo "test: the build has warnings in our code (above); fix them" >&2
  exit 1
fi
rm -f "$log"

# Tests run at once, each with its own processes. The few that start a dozen processes or three
# browsers get the machine to themselves afterwards: on two cores, running them beside the rest
# starved in-process tests of CPU for seconds.
heavy="BrowserTests|TopologyTests|DrainTests|LargeDataTests|SchemathesisTests"
swift test --skip-build --skip "$heavy"
swift test --skip-build --filter "$heavy"

# The fuzz targets, briefly (each replays its seed corpus first); `make fuzz` runs them longer.
FUZZ_SECONDS=${FUZZ_SECONDS:-20} scripts/fuzz.sh

# The compose deployment on a Docker engine of its own (root; it installs Debian's docker.io).
# SWITCHBOARD_COMPOSE_TEST=0 leaves it out.
if [[ "${SWITCHBOARD_COMPOSE_TEST:-1}" != "0" ]]; then
  status=0
  scripts/compose-test.sh || status=$?
  if ((status == 77)); then
    echo "test: the compose test was skipped (no Docker engine can be started here)"
  elif ((status != 0)); then
    exit "$status"
  fi
fi
