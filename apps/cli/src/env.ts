/**
 * Every variable the CLI reads itself (deployment files are checked against it: test/deploy; env.spec.ts checks the
 * list against the code): the database and broker, the simulator's ingest URL and key, and the dashboard link's URL
 * and secret (read by libs/service for `tokens create`). `replay` reads the aggregator's variables as well, through
 * the aggregator's own config (AGGREGATOR_ENV_KEYS).
 */
export const CLI_ENV_KEYS: readonly string[] = [
  'DATABASE_URL',
  'KAFKA_BROKERS',
  'SWITCHBOARD_TOPIC_NAMESPACE',
  'INGEST_URL',
  'SWITCHBOARD_API_KEY',
  'DASHBOARD_PUBLIC_URL',
  'DASHBOARD_GATEWAY_PORT',
  'DASHBOARD_TOKEN_SECRET',
];
