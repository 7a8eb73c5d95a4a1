#!/usr/bin/env bash
# `make compose-test`: the real Dockerfile and docker-compose.yml, unchanged, on a real Docker
# engine of the test's own, driven as a user would (Tests/Compose/test_compose.py).
#
# - Installs Debian's docker.io, docker-compose and debootstrap when missing.
# - Starts its own dockerd in the background (own data, exec and socket folders; bridge and
#   compose networks on 198.18.0.0/15, outside the private ranges; DNS from a forwarder on the
#   bridge, since containers must not use the host's resolver) and stops it by pid at the end.
# - Where no image registry is reached (as on the project's machines), builds the base images
#   itself: debian:bookworm-slim from debootstrap, and stand-ins for swift:6.3-bookworm and
#   postgres:15 from Tests/Compose/standins. SWITCHBOARD_COMPOSE_PULL=1 pulls the real ones.
# - Keeps the engine's data (images, build cache) in $SWITCHBOARD_DOCKER_CACHE (default
#   /var/cache/switchboard-docker), outside the clone, so a second run is fast.
#
# Exit 0 when every check passed; 77 when no Docker engine can be started here (not root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cache=${SWITCHBOARD_DOCKER_CACHE:-/var/cache/switchboard-docker}
bridge=198.18.0.1

if [[ $(id -u) -ne 0 ]]; then
  echo "compose-test: skipped: starting a Docker engine needs root" >&2
  exit 77
fi

missing=()
for package in docker.io docker-compose debootstrap iptables; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "compose-test: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
scripts/setup.sh --test >/dev/null

# The Dockerfile needs BuildKit. docker-compose 1.29 builds through the `docker` command found
# first on PATH; Debian's (20.10) builds with BuildKit when asked, while a newer CLI installed
# apart from its buildx plugin refuses to, so Debian's is put first.
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
# The engine: its own folders (a short exec root: socket paths are limited to ~107 bytes).
run=$(mktemp -d /tmp/sbdocker.XXXXXX)
export DOCKER_HOST="unix://$run/docker.sock"
mkdir -p "$cache/data" "$run/bin"
ln -s /usr/bin/docker "$run/bin/docker"
export PATH="$run/bin:$PATH"
dockerd_pid="" dns_pid=""
stop() {
  status=$?
  if [[ -n "$dns_pid" ]]; then kill "$dns_pid" 2>/dev/null || true; fi
  if [[ -n "$dockerd_pid" ]]; then
    # Whatever a failed run left behind goes with the engine; images and build cache stay.
    docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network prune -f >/dev/null 2>&1 || true
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$run"
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

dockerd --data-root "$cache/data" --exec-root "$run/exec" -H "$DOCKER_HOST" --pidfile "$run/docker.pid" \
  --bip "$bridge/24" --default-address-pool base=198.19.0.0/16,size=24 --dns "$bridge" \
  >"$run/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 150); do
  docker info >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || { cat "$run/dockerd.log" >&2; echo "compose-test: dockerd did not start" >&2; exit 1; }
  sleep 0.2
done
docker info >/dev/null 2>&1 || { tail -20 "$run/dockerd.log" >&2; echo "compose-test: dockerd did not answer in 30 s" >&2; exit 1; }
echo "compose-test: dockerd $(docker version -f '{{.Server.Version}}') at $DOCKER_HOST (data $cache/data)"

"$root/.venv/bin/python" scripts/dns-forward.py "$bridge" >"$run/dns.log" 2>&1 &
dns_pid=$!

# Base images. With a registry, the real ones; without, images built here with the same contract.
if [[ "${SWITCHBOARD_COMPOSE_PULL:-}" == "1" ]]; then
  for image in debian:bookworm-slim swift:6.3-bookworm postgres:15; do docker pull -q "$image"; done
else
  if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
    echo "compose-test: making debian:bookworm-slim with debootstrap (no registry here)"
    rootfs="$cache/rootfs"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$run/debootstrap.log" 2>&1 \
      || { tail -20 "$run/debootstrap.log" >&2; exit 1; }
    # As the official slim image: the same package sources, no documentation, no package caches.
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/" 2>/dev/null \
      && rm -f "$rootfs/etc/apt/sources.list"
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
    # As the official image: downloaded packages are deleted once installed.
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
    rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/cache/apt/*.bin \
      "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
    rm -rf "$rootfs"
  fi
  if ! docker image inspect swift:6.3-bookworm >/dev/null 2>&1; then
    echo "compose-test: making a swift:6.3-bookworm stand-in from this machine's toolchain (no registry here)"
    swift_root=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
    context="$cache/swift-context"
    rm -rf "$context" && mkdir -p "$context"
    cp Tests/Compose/standins/swift/Dockerfile "$context/"
    cp -al "$swift_root" "$context/toolchain" 2>/dev/null || cp -a "$swift_root" "$context/toolchain"
    cp -al /opt/swift-packages "$context/swift-packages" 2>/dev/null || cp -a /opt/swift-packages "$context/swift-packages"
    docker build -q -t swift:6.3-bookworm "$context" >/dev/null
    rm -rf "$context"
  fi
  if ! docker image inspect postgres:15 >/dev/null 2>&1; then
    echo "compose-test: making a postgres:15 stand-in from Debian's PostgreSQL 15 (no registry here)"
    docker build -q -t postgres:15 Tests/Compose/standins/postgres >/dev/null
  fi
fi

# Each build leaves the previous image untagged, and BuildKit's cache (the Dockerfile's cache
# mount of .build among it) grows: what the last week did not use goes.
docker image prune -f --filter until=48h >/dev/null
docker builder prune -f --filter until=168h >/dev/null

export COMPOSE_HTTP_TIMEOUT=300
"$root/.venv/bin/python" -m pytest -x -v -p no:cacheprovider Tests/Compose/test_compose.py
echo "compose-test: figures in .build/compose-figures.json"
