# syntax=docker/dockerfile:1
# One image for every sluice role; the role is the first argument of the entrypoint:
#   docker run sluice controller --config /etc/sluice/server.properties
#   docker run sluice broker --config ...      docker run sluice coordinator --config ...
#   docker run sluice topic list --bootstrap host:9093      (anything else: the `sluice` CLI)
# The Helm chart (deploy/helm/sluice) runs it this way. Not built in this repository's CI: there
# is no Docker engine on its machines (see the README's Kubernetes section).

# ---- build: the whole workspace compiled with its pinned toolchain (pnpm 12, TypeScript)
FROM node:24-slim AS build
WORKDIR /src
# Native modules (snappy, lz4, crc32) ship prebuilt binaries; no compiler is needed.
COPY . .
RUN npx -y pnpm@12 install --frozen-lockfile \
 && npx -y pnpm@12 build \
 # Production dependencies only (drops the toolchain: TypeScript, jest, the dev Node binary).
 && npx -y pnpm@12 install --frozen-lockfile --prod \
 && rm -rf bench e2e test-support packages/*/test services/*/test

# ---- runtime: Node 24 slim, the built workspace, a non-root user
FROM node:24-slim
ENV NODE_ENV=production
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice \
 && mkdir -p /var/lib/sluice/data /var/run/sluice /etc/sluice \
 && chown -R sluice:sluice /var/lib/sluice /var/run/sluice
COPY --from=build --chown=root:root /src /opt/sluice
USER 10001:10001
WORKDIR /var/lib/sluice
EXPOSE 9092 9093 9094 9464
ENTRYPOINT ["/opt/sluice/deploy/docker/sluice.sh"]
CMD ["--help"]
