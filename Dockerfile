# One image for every Switchboard service; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
CMD ["node", "-r", "@swc-node/register", "apps/ingest/src/main.ts"]
