import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { KeyStore } from '../../../apps/cli/src/keys/key-store';
import { createIngestApp } from '../../../apps/ingest/src/bootstrap';
import { type IngestConfig, loadIngestConfig } from '../../../apps/ingest/src/config';
import type { EventPublisher } from '../../../apps/ingest/src/publishing/event-publisher';
import { testEnv, uniqueName } from '../../support/env';

export interface RunningIngest {
  app: INestApplication;
  url: string;
  config: IngestConfig;
  pool: Pool;
  keys: KeyStore;
  /** A fresh tenant with one key. */
  newTenant(): Promise<{ tenant: string; key: string; keyId: string }>;
  post(path: string, key: string | undefined, body: string | Buffer, contentType?: string): Promise<Response>;
  close(): Promise<void>;
}

/** The real ingest app in-process on port 0, with the real Postgres, and the publisher given. */
export async function startIngest(
  publisher: EventPublisher | undefined,
  env: Record<string, string> = {},
): Promise<RunningIngest> {
  const config = loadIngestConfig({
    DATABASE_URL: testEnv.databaseUrl,
    KAFKA_BROKERS: testEnv.brokers.join(','),
    LOG_LEVEL: 'silent',
    INGEST_API_KEY_CACHE_MS: '0',
    ...env,
  });
  const app = await createIngestApp({ config, publisher });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  const keys = new KeyStore(pool);
  return {
    app,
    url,
    config,
    pool,
    keys,
    newTenant: async () => {
      const tenant = uniqueName('t');
      const created = await keys.create(tenant, 'test');
      return { tenant, key: created.key, keyId: created.keyId };
    },
    post: (path, key, body, contentType = 'application/json') =>
      fetch(`${url}${path}`, {
        method: path.startsWith('/v1/events') ? 'POST' : 'PUT',
        headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body,
      }),
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/** A response body as loose JSON: the specs assert on its shape. */
// biome-ignore lint/suspicious/noExplicitAny: test helper reading arbitrary JSON bodies
export async function json(res: Response): Promise<any> {
  return res.json();
}
