#!/usr/bin/env bash
# Installs what building, running and testing Switchboard needs on a Debian machine, and
# only what is missing. Safe to run again. Usage: scripts/setup.sh [--test]
set -euo pipefail

packages=(postgresql postgresql-contrib libpq-dev libcurl4-openssl-dev pkg-config tzdata socat curl ca-certificates)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(postgresql-client chromium chromium-driver docker-compose)
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH; install the Swift 6 toolchain first" >&2; exit 1; }

# Test tools from PyPI in the project's own virtual environment (the machine's python3 may not
# be Debian's, so Debian's python3-* modules are not an option): aiosmtpd is the tests' SMTP server,
# Selenium drives Debian's Chromium in the browser tests, PyYAML and jsonschema check the compose
# file against the Compose Specification; pytest and websocket-client drive the compose test;
# schemathesis checks the running gateway against its own OpenAPI document.
# (Debian's docker-compose above runs on Debian's own python3.)
if [[ "${1:-}" == "--test" ]]; then
  venv="$(dirname "$0")/../.venv"
  python=$(command -v python3)
  if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup: creating $venv" >&2
    if ! "$python" -m venv "$venv"; then
      # Debian's own python3 keeps venv in a separate package.
      DEBIAN_FRONTEND=noninteractive ${sudo:-} apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      "$python" -m venv "$venv"
    fi
  fi
  if ! "$venv/bin/python" -c "import aiosmtpd, selenium, yaml, jsonschema, pytest, websocket, schemathesis" 2>/dev/null; then
    echo "setup: installing aiosmtpd, selenium, pyyaml, jsonschema, pytest, websocket-client and schemathesis into $venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "aiosmtpd==1.4.6" "selenium>=4.20,<5" "pyyaml>=6,<7" "jsonschema>=4.18,<5" \
      "pytest>=8,<10" "websocket-client>=1.6,<2" "schemathesis>=4.3,<5"
  fi
fi
