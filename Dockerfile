# One image for every Switchboard service; docker-compose.yml picks the command.
#
# build: every dependency, then `npm run build` compiles the apps, the CLI and the migrations to JavaScript in dist/
# (path aliases rewritten to relative requires, the gateway's page assets beside it).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# runtime: production dependencies only, the compiled output as /app (so /app/apps/ingest/src/main.js is
# dist/apps/ingest/src/main.js), no TypeScript and no runtime register, run as the image's unprivileged `node` user.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/ ./
# The dashboard token secret lives in /app/.data when DASHBOARD_TOKEN_SECRET is unset (a volume in compose).
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
CMD ["node", "apps/ingest/src/main.js"]
