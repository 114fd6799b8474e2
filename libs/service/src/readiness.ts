import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Pool } from 'pg';
import { bounded } from './bounded';

/** How long one readiness check may take before it counts as down. */
export const READINESS_TIMEOUT_MS = 2000;

/** One dependency readiness waits for: up when `check` resolves, down with its message otherwise. */
export interface ReadinessCheck {
  key: string;
  check: () => Promise<unknown>;
}

/** Nest token of the app's `ReadinessCheck[]` (besides "not shutting down", which every service has). */
export const READINESS_CHECKS = Symbol('ReadinessChecks');

/** One readiness check as a Terminus indicator: up when `check` resolves, down with its message otherwise. */
export async function readinessProbe(
  indicators: HealthIndicatorService,
  key: string,
  check: () => Promise<unknown>,
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  try {
    await check();
    return session.up();
  } catch (err) {
    return session.down({ message: (err as Error).message });
  }
}

/** `postgres`: the pool answers `SELECT 1` within the readiness timeout. */
export function postgresReady(pool: Pool): ReadinessCheck {
  return { key: 'postgres', check: () => bounded(pool.query('SELECT 1'), 'Postgres', READINESS_TIMEOUT_MS) };
}
