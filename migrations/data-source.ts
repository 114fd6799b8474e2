import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { migrations } from './index';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/switchboard';
/** Every variable the migrations read (deployment files are checked against it: test/deploy). */
export const MIGRATION_ENV_KEYS: readonly string[] = ['DATABASE_URL'];

/** The migration data source; the TypeORM CLI finds it as the default export. */
export function createMigrationDataSource(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
  });
}

export default createMigrationDataSource();
