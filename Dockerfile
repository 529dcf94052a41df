# syntax=docker/dockerfile:1

# ---- build: compile TypeScript; better-sqlite3 compiles its native addon here ----
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped because `prepare` builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY connectors ./connectors
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts

# ---- runtime: production dependencies and compiled output only, as a non-root user ----
FROM node:20-bookworm-slim
# Only the database path is set here: an image-wide SCIM_BRIDGE_PORT would override a mounted config file's port.
ENV NODE_ENV=production \
    SCIM_BRIDGE_DB=/data/scim-bridge.db
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root bin ./bin
COPY --chown=root:root schemas ./schemas
RUN ln -s /app/bin/scim-bridge.js /usr/local/bin/scim-bridge \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Probes SCIM_BRIDGE_PORT (default 8080): change the port with that variable, not only in a config file.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.SCIM_BRIDGE_PORT||8080,path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# Create a token first: docker exec <container> scim-bridge token create --name entra
CMD ["node", "bin/scim-bridge.js", "serve"]
