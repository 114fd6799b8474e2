import 'reflect-metadata';
import { DataSource } from 'typeorm';
// The runner is live code like any service (only the versioned migrations are frozen): it reaches Postgres as the
// services do, TLS (sslmode, DATABASE_SSL_CA_FILE) and connect timeout included.
import { DATABASE_ENV_KEYS, loadDatabaseConnection } from '../libs/service/src/database-pool';
import { migrations } from './index';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/switchboard';
/** Every variable the migrations read (deployment files are checked against it: test/deploy). */
export const MIGRATION_ENV_KEYS: readonly string[] = DATABASE_ENV_KEYS;

/**
 * The migration data source; the TypeORM CLI finds it as the default export. A URL given (tests, tools) is used
 * plainly; else the environment's connection. No statement timeout: a migration's DDL may take long on big tables.
 */
export function createMigrationDataSource(url?: string): DataSource {
  const db = loadDatabaseConnection({
    DATABASE_URL: DEFAULT_DATABASE_URL,
    ...(url ? { DATABASE_URL: url } : process.env),
  });
  return new DataSource({
    type: 'postgres',
    url: db.url,
    // To pg's pool as the services give it (TypeORM's own `ssl` option is typed narrower than pg's).
    extra: { ssl: db.ssl, connectionTimeoutMillis: db.connectTimeoutMs },
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
  });
}

export default createMigrationDataSource();
