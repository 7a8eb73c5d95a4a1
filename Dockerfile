# Build all five executables in release on Swift 6 / Debian bookworm, run them on a slim bookworm
# as a non-root user, with the console's and widget's pages. One image for every service:
# docker-compose.yml picks the executable with `command`.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libcurl4-openssl-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Shared Shared
COPY Services Services
COPY Tests Tests
# `swift build` takes one --product (the last one given wins): one build per executable, sharing
# everything already compiled.
RUN mkdir /out \
    && for s in gateway conversation pool ticketing notification; do \
         swift build -c release --static-swift-stdlib --product "switchboard-$s" \
         && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/switchboard-$s" /out/ || exit 1; \
       done \
    && strip /out/switchboard-* \
    && cp -R Services/Gateway/Public /out/public

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 libcurl4 curl ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group switchboard \
    && mkdir -p /run/switchboard && chown switchboard:switchboard /run/switchboard
COPY --from=build /out/public /usr/local/share/switchboard/public
COPY --from=build /out/switchboard-* /usr/local/bin/
USER switchboard
ENV SWITCHBOARD_RUNTIME_DIR=/run/switchboard SWITCHBOARD_PUBLIC_DIR=/usr/local/share/switchboard/public \
    SWITCHBOARD_HTTP_HOST=0.0.0.0
EXPOSE 8080
CMD ["switchboard-gateway"]
