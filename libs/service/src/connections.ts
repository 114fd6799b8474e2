import { DATABASE_ENV_KEYS, type DatabaseConnection, loadDatabaseConnection } from './database-pool';
import { EnvError } from './env-files';
import { KAFKA_ENV_KEYS, type KafkaConnection, loadKafkaConnection } from './kafka-connection';

/** The variables of both connections, which every service and the CLI read the same way. */
export const CONNECTION_ENV_KEYS: readonly string[] = [...KAFKA_ENV_KEYS, ...DATABASE_ENV_KEYS];

export interface Connections {
  kafka: KafkaConnection;
  database: DatabaseConnection;
}

/**
 * Kafka's and Postgres' connections from the environment; their problems are added to `issues` (an app's config
 * reports them with its own in one error) and the result is then undefined.
 */
export function connectionsOf(env: NodeJS.ProcessEnv, issues: string[]): Connections | undefined {
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      issues.push(...err.issues);
      return undefined;
    }
  };
  const kafka = attempt(() => loadKafkaConnection(env));
  const database = attempt(() => loadDatabaseConnection(env));
  return kafka && database ? { kafka, database } : undefined;
}
