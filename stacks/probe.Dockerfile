# A pinned upstream image plus a static busybox, so compose can probe the server's own HTTP health
# endpoint: Tempo 2.10 (distroless since busybox was removed), the collector (FROM scratch) and
# Jaeger ship no shell, wget or curl. BASE is the pinned upstream image, set in docker-compose.yml.
ARG BASE
FROM busybox:1.37.0-musl AS busybox
RUN mkdir -p /otelcol/file_storage

# The collector (target collector) also needs its file_storage directory: the image is FROM scratch and
# runs as 10001, and a named volume mounted on a path the image lacks is created root-owned, which the
# collector cannot write (it refuses to start). A volume mounted on this directory starts with its owner.
FROM ${BASE} AS collector
COPY --from=busybox /bin/busybox /usr/local/bin/busybox
COPY --from=busybox --chown=10001:10001 /otelcol /var/lib/otelcol

FROM ${BASE}
COPY --from=busybox /bin/busybox /usr/local/bin/busybox
