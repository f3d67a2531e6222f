# syntax=docker/dockerfile:1
# One image for the three services and the one-shot tools; docker-compose.yml picks the command:
#   node dist/services/{registry,ingestion,aggregation}/src/main.js
#   node dist/services/all-in-one/src/migrate.js
#   node dist/services/registry/src/create-organization.js "<name>"
# Debian (glibc), not Alpine: chdb's native binding exists for linux-*-gnu only (see below).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency (TypeScript, …), then tsc → dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: the lockfile records only the optional packages of the platform it
# was written on, and `npm ci` rejects it elsewhere (docs/STACK.md). It still honours the lock.
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies, the compiled code and the files read at run time ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev --omit=optional: the services use a ClickHouse server here, and chdb's 566 MB engine
# (optional dependency @chdb/lib-*) is required only when CLICKHOUSE_URL is unset
# (libs/clickhouse/src/clickhouse.ts).
RUN npm install --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
# package.json also marks the root that repoPath() walks up to; proto/ and the migrations are read
# from there at run time.
COPY proto proto
COPY libs/clickhouse/migrations libs/clickhouse/migrations
COPY libs/postgres/migrations libs/postgres/migrations
COPY services/ingestion/migrations services/ingestion/migrations
COPY docker/healthcheck.js docker/healthcheck.js
COPY --from=build /app/dist dist
# A larger young generation: ingestion allocates per event, and with the default one the
# scavenges took ~30% of the main thread (batched ingest +20% with 64 MB, bench/README).
ENV NODE_OPTIONS=--max-semi-space-size=64
USER node
EXPOSE 50051 50052 50053
CMD ["node", "dist/services/registry/src/main.js"]
