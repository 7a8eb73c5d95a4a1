#!/usr/bin/env bash
# Installs what building, running and testing Switchboard needs on a Debian machine, and
# only what is missing. Safe to run again. Usage: scripts/setup.sh [--test]
set -euo pipefail

packages=(postgresql postgresql-contrib libpq-dev pkg-config tzdata socat curl ca-certificates)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql-client)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift 6 toolchain first" >&2; exit 1; }
