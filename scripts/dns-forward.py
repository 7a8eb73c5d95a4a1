#!/usr/bin/env python3
"""A DNS forwarder for the compose test's own Docker engine.

Containers must not use the host's resolver directly (it sits on a private address), so the
engine is started with `--dns <bridge address>` and this relays each UDP query from the bridge
to the resolver the host itself uses. Usage: dns-forward.py LISTEN_ADDRESS [UPSTREAM]
"""
import socket
import sys
import threading


def upstream_from_resolv_conf():
    with open("/etc/resolv.conf") as resolv:
        for line in resolv:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                return parts[1]
    raise SystemExit("dns-forward: no nameserver in /etc/resolv.conf")


def relay(server, query, client, upstream):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
        out.settimeout(5)
        try:
            out.sendto(query, (upstream, 53))
            answer, _ = out.recvfrom(65535)
        except OSError:
            return  # the client retries; a lost query costs nothing
        server.sendto(answer, client)


def main():
    listen = sys.argv[1]
    upstream = sys.argv[2] if len(sys.argv) > 2 else upstream_from_resolv_conf()
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((listen, 53))
    print(f"dns-forward: {listen}:53 -> {upstream}:53", flush=True)
    busy = threading.BoundedSemaphore(64)  # at most 64 queries in flight; more are dropped
    while True:
        query, client = server.recvfrom(65535)
        if len(query) < 12 or not busy.acquire(blocking=False):
            continue

        def run(query=query, client=client):
            try:
                relay(server, query, client, upstream)
            finally:
                busy.release()

        threading.Thread(target=run, daemon=True).start()


if __name__ == "__main__":
    main()
