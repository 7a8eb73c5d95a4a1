# Uses BuildKit (RUN --mount below), the builder of Docker 23 and later; Docker 20.10 and
# docker-compose 1.29 need DOCKER_BUILDKIT=1 in the environment.
# One image for every Switchboard process: docker-compose.yml picks the executable with `command`.
# Built with Swift 6.3 on Debian bookworm; run on bookworm-slim as user and group 10001, the five
# services one file linked against the Swift runtime (measured in docs/operations.md).

FROM swift:6.3-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpq-dev libcurl4-openssl-dev pkg-config ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift Package.swift
COPY Shared Shared
COPY Services Services
COPY Tests Tests
# .build lives in a BuildKit cache mount, kept by the engine between builds: the dependencies'
# checkouts and objects (most of the compile) are reused when only our sources changed. A
# cache mount also keeps one device number, which SwiftPM's build database records for every file;
# an ordinary layer gets a new one each build and would compile everything again.
# One file for the five services (the `switchboard` product), and each service's name a link to
# it: the code they share (NIO, Foundation's overlays, our Shared modules) is in the image once,
# not five times, and the image builds one product. The processes are five as before: the name a
# process was started by picks its service, the same `ServiceMain` as the separate executables.
RUN --mount=type=cache,id=switchboard-build,target=/src/.build,sharing=locked \
    mkdir -p /out/bin /out/lib \
    && swift build -c release --product switchboard \
    && cp "$(swift build -c release --show-bin-path)/switchboard" /out/bin/ \
    && strip /out/bin/switchboard \
    && for s in gateway conversation pool ticketing notification; do ln -s switchboard "/out/bin/switchboard-$s"; done \
    && ldd /out/bin/switchboard | awk '$3 ~ "^/usr/lib/swift/" { print $3 }' | sort -u | xargs -r cp -t /out/lib \
    && strip --strip-unneeded /out/lib/*.so \
    && cp -R Services/Gateway/Public /out/public

# No tzdata: Foundation's time zones come from the ICU data inside the Swift runtime. No curl: the
# gateway's healthcheck is `switchboard-gateway health`. No ca-certificates package (it brings the
# openssl tool): libcurl, for SMTP over TLS, reads only the bundle, copied from the build stage.
FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq5 libcurl4 libstdc++6 \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /usr/share/doc/* \
    && groupadd --gid 10001 switchboard \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin switchboard \
    && mkdir -p /run/switchboard && chown switchboard:switchboard /run/switchboard
# The Swift runtime the executables link (only those libraries), where their rpath looks.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/lib/ /usr/lib/swift/linux/
COPY --from=build /out/public /usr/local/share/switchboard/public
COPY --from=build /out/bin/ /usr/local/bin/
USER switchboard:switchboard
ENV SWITCHBOARD_RUNTIME_DIR=/run/switchboard SWITCHBOARD_PUBLIC_DIR=/usr/local/share/switchboard/public \
    SWITCHBOARD_HTTP_HOST=0.0.0.0
EXPOSE 8080
CMD ["switchboard-gateway"]
