# The medledger full node as a container image: `docker build -t medledger .`
#   docker run -v /srv/medledger:/var/lib/medledger -p 26600:26600 -p 26601:26601 medledger
# The volume is the node's home (config.toml, genesis.json, node.key, data/): make the key with
#   docker run --rm -v /srv/medledger:/var/lib/medledger medledger keygen --home /var/lib/medledger
# Liveness and readiness: GET /healthz and /readyz on the API port.

# Build: the node alone, in release, from the locked dependencies.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --release -p medledger-node --bin medledger

# Run: a small Debian with the binary, as an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/medledger --shell /usr/sbin/nologin medledger \
    && install -d -m 0700 -o medledger -g medledger /var/lib/medledger
COPY --from=build /src/target/release/medledger /usr/bin/medledger
USER medledger
VOLUME /var/lib/medledger
# p2p, API, metrics (the config chooses; these are the packaged defaults).
EXPOSE 26600 26601 26602
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/medledger", "--log-format", "json"]
CMD ["start", "--home", "/var/lib/medledger"]
