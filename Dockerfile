# Image of the IRONSCALES source for Airbyte.
#   build:  docker build -t source-ironscales:dev .
#   run:    docker run --rm source-ironscales:dev spec
#           docker run --rm -v "$PWD/secrets:/secrets:ro" source-ironscales:dev check --config /secrets/config.json
#
# Two stages: the first compiles the TypeScript connector (dev dependencies included), the
# second holds only Node.js, the production dependencies and the compiled JavaScript.

# ---- build: compile src/ to dist/ -------------------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig*.json ./
COPY src ./src
# Only the connector; the simulator, bench and scripts (tsconfig.tools.json) are not shipped.
RUN npx tsc -p tsconfig.build.json

# ---- runtime ----------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && rm -rf /root/.npm /tmp/node-compile-cache \
    && mkdir -p /airbyte \
    && chown 1000:1000 /airbyte \
    && chmod 0775 /airbyte
COPY --from=build /app/dist ./dist

# Airbyte runs connectors without root (uid/gid 1000 when rootless workloads are on); in the
# node image uid 1000 is the `node` user. Numeric, so Kubernetes can verify runAsNonRoot.
USER 1000:1000

LABEL io.airbyte.name="airbyte/source-ironscales" \
      io.airbyte.version="0.3.0"

# The platform ignores ENTRYPOINT and runs  sh -c 'eval "$AIRBYTE_ENTRYPOINT <command>"'
# from another directory, so both name the same absolute paths.
# --max-semi-space-size=4 keeps V8's young generation at 8 MB instead of 32 MB: with 30 KB
# incidents streaming through, peak RSS drops by ~40 MB at the same throughput (bench/README.md).
# --max-old-space-size=768: without a limit V8 sizes its heap from the machine's memory and lets
# large garbage (every 5 MB body exists as text, object and output line) pile up to ~330 MB
# before collecting it; with one it collects sooner (~200 MB). The live heap is tens of MB and
# the details in flight are bounded by bytes, so 768 MB is far above what a sync holds.
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node --max-semi-space-size=4 --max-old-space-size=768 /app/dist/main.js"
ENTRYPOINT ["/usr/local/bin/node", "--max-semi-space-size=4", "--max-old-space-size=768", "/app/dist/main.js"]
