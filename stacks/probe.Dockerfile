# A pinned upstream image plus a static busybox, so compose can probe the server's own HTTP health
# endpoint: Tempo 2.10 (distroless since busybox was removed), the collector (FROM scratch) and
# Jaeger ship no shell, wget or curl. BASE is the pinned upstream image, set in docker-compose.yml.
ARG BASE
FROM busybox:1.37.0-musl AS busybox
FROM ${BASE}
COPY --from=busybox /bin/busybox /usr/local/bin/busybox
