import { randomBytes } from 'node:crypto';

/** Where the integration tests find the real services; `npm test` starts them. */
export const testEnv = {
  brokers: (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`).split(','),
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard',
};

/** A fresh name per test, so tests never see each other's topics, groups or databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
