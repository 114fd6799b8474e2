import { connectionsOf, databasePool, EnvError, type KafkaConnection } from '@switchboard/service';
import type { Pool } from 'pg';

/** The CLI's connections, read from the environment once (a bad variable stops the command, naming it). */
function connections() {
  const issues: string[] = [];
  const c = connectionsOf(process.env, issues);
  if (!c) throw new EnvError(issues);
  return c;
}

/** The CLI's Postgres pool: DATABASE_URL with its sslmode, DATABASE_SSL_CA_FILE, the timeouts. */
export function openPool(): Pool {
  return databasePool(connections().database, 'switchboard-cli', { max: 2 });
}

/** The CLI's Kafka connection: KAFKA_BROKERS, KAFKA_SECURITY_PROTOCOL, SASL, TLS (README "Deploying"). */
export function kafkaConnection(): KafkaConnection {
  return connections().kafka;
}
