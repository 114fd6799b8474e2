import { CONNECTION_ENV_KEYS } from '@switchboard/service';

/**
 * Every variable the CLI reads itself (deployment files are checked against it: test/deploy; env.spec.ts checks the
 * list against the code): the database and broker, the simulator's ingest URL and key, and the dashboard link's URL
 * and secret (read by libs/service for `tokens create`). `replay` reads the aggregator's variables as well, through
 * the aggregator's own config (AGGREGATOR_ENV_KEYS). The connections' variables (Kafka, Postgres) are read by
 * libs/service for it (db.ts), as for every service.
 */
export const CLI_ENV_KEYS: readonly string[] = [
  ...CONNECTION_ENV_KEYS,
  'SWITCHBOARD_TOPIC_NAMESPACE',
  'AGGREGATOR_GROUP_PREFIX',
  'INGEST_URL',
  'SWITCHBOARD_API_KEY',
  'DASHBOARD_PUBLIC_URL',
  'DASHBOARD_GATEWAY_PORT',
  'DASHBOARD_TOKEN_SECRET',
];
