import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { createDashboardToken, type DashboardRole } from '@switchboard/domain';
import { Pool } from 'pg';
import { createGatewayApp } from '../../../apps/dashboard-gateway/src/bootstrap';
import { type GatewayConfig, loadGatewayConfig } from '../../../apps/dashboard-gateway/src/config';
import { LiveService } from '../../../apps/dashboard-gateway/src/live';
import { testEnv, uniqueName } from '../../support/env';
import { eventually } from '../../support/wait';

export interface RunningGateway {
  app: INestApplication;
  url: string;
  config: GatewayConfig;
  /** A pool of the test's own, to seed rows directly into the PostgreSQL contract. */
  pool: Pool;
  /** A token signed with this gateway's secret. */
  token(tenant: string, role: DashboardRole, opts?: { ttlSeconds?: number; now?: number }): string;
  /** GET with `Authorization: Bearer <token>` when a token is given. */
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Resolves once the app's live feed runs. A first start that fails (a topic just created whose leader Kafka has not
 * announced yet, Kafka away) does not fail the app: the feed starts again with back-off, and clients, like these
 * tests, wait for readiness rather than for the app's start.
 */
export async function untilLive(app: INestApplication, timeoutMs = 30_000): Promise<void> {
  const live = app.get(LiveService);
  await eventually(() => live.ready(), timeoutMs, 100);
}

/**
 * The real gateway app in-process on port 0, with the real Postgres and a random token secret; resolved once its
 * live feed runs, unless `waitForLive` is false.
 */
export async function startGateway(
  env: Record<string, string> = {},
  { waitForLive = true }: { waitForLive?: boolean } = {},
): Promise<RunningGateway> {
  const config = loadGatewayConfig({
    DATABASE_URL: testEnv.databaseUrl,
    KAFKA_BROKERS: testEnv.brokers.join(','),
    LOG_LEVEL: 'silent',
    DASHBOARD_TOKEN_SECRET: randomBytes(48).toString('base64url'),
    ...env,
  });
  const app = await createGatewayApp({ config });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  if (waitForLive) await untilLive(app);
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 2 });
  return {
    app,
    url,
    config,
    pool,
    token: (tenant, role, opts = {}) =>
      createDashboardToken(config.tokenSecret, { tenant, role, ttlSeconds: opts.ttlSeconds ?? 3600 }, opts.now),
    get: (path, token, headers = {}) =>
      fetch(`${url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } }),
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

/** A fresh tenant row (UTC unless a zone is given). */
export async function newTenant(pool: Pool, timezone = 'UTC'): Promise<string> {
  const tenant = uniqueName('gw');
  await pool.query('INSERT INTO tenants (tenant, timezone) VALUES ($1, $2)', [tenant, timezone]);
  return tenant;
}

/** One `meter_energy_15m` row, final, energy given as exact digits of mWh. */
export async function insertEnergy(
  pool: Pool,
  row: { tenant: string; meterId: string; start: string; mwh: string; readings?: number; maxPowerW?: number | null },
): Promise<void> {
  await pool.query(
    `INSERT INTO meter_energy_15m (tenant, meter_id, window_start, window_end, energy_mwh, readings, max_power_w, is_final)
     VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '15 minutes', $4::bigint, $5, $6, true)`,
    [row.tenant, row.meterId, row.start, row.mwh, row.readings ?? 15, row.maxPowerW ?? null],
  );
}

export interface QueueRowInput {
  offered?: number;
  answered?: number;
  abandoned?: number;
  answered_in_sla?: number;
  abandoned_short?: number;
  answered_wait_ms_sum?: number;
  wait_ms_sum?: number;
  max_wait_ms?: number | null;
  talk_ms_sum?: number;
  talk_count?: number;
  is_final?: boolean;
}

/** One `queue_stats_1m` row; columns not given keep their defaults (0, null max wait, not final). */
export async function insertQueueStats(
  pool: Pool,
  tenant: string,
  queue: string,
  start: string,
  cols: QueueRowInput,
): Promise<void> {
  const names = Object.keys(cols);
  await pool.query(
    `INSERT INTO queue_stats_1m (tenant, queue, window_start, window_end${names.map((n) => `, ${n}`).join('')})
     VALUES ($1, $2, $3::timestamptz, $3::timestamptz + interval '1 minute'${names.map((_, i) => `, $${i + 4}`).join('')})`,
    [tenant, queue, start, ...Object.values(cols)],
  );
}

/** A response body as loose JSON: the specs assert on its shape. */
// biome-ignore lint/suspicious/noExplicitAny: test helper reading arbitrary JSON bodies
export async function json(res: Response): Promise<any> {
  return res.json();
}

/** The three data endpoints with a valid query each, and the role each needs. */
export const ENDPOINTS = [
  { path: '/v1/meters/m-1/energy?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&interval=15m', role: 'analyst' },
  { path: '/v1/billing/energy.csv?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z', role: 'analyst' },
  { path: '/v1/queues/sales/stats?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z', role: 'supervisor' },
] as const;
