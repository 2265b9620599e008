# kith in a container: a build stage with the Rust toolchain, then a small
# Debian runtime with only the binary, certificates, the zone database and
# pg_dump. docs/deploy.md ("Containers") says how to run it; compose.yaml
# runs it with PostgreSQL.
#
#   docker build -t kith .
#   docker run -p 127.0.0.1:8080:8080 -v kith-data:/var/lib/kith kith

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# Cargo's caches as build caches, so a rebuild after a small change does
# not fetch and compile every dependency again.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p kith \
 && install -D -m 0755 target/release/kith /out/kith

FROM debian:bookworm-slim
# ca-certificates: SMTP over TLS and https imports; tzdata: every group's
# meeting times are computed in its zone from the system's zone database;
# postgresql-client: `kith backup` runs pg_dump on a PostgreSQL site
# (bookworm's is 15, as in compose.yaml).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates tzdata postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/kith --shell /usr/sbin/nologin kith \
 && install -d -o kith -g kith -m 0700 /var/lib/kith
COPY --from=build /out/kith /usr/local/bin/kith

USER kith
WORKDIR /var/lib/kith
ENV KITH_ADDR=0.0.0.0:8080 \
    KITH_DATABASE_URL=sqlite:///var/lib/kith/kith.db
VOLUME /var/lib/kith
EXPOSE 8080
STOPSIGNAL SIGTERM
# The image has no curl or wget; bash (in every Debian image) speaks
# enough HTTP to ask /healthz. .ci/deploy runs this same line against kith.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
CMD ["kith", "serve"]
