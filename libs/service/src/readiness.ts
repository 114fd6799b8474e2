import { Logger } from '@nestjs/common';
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

/** A reason for not being ready written for whoever asks (a load balancer, an operator): shown as it is. */
export class NotReady extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReady';
  }
}

const log = new Logger('Readiness');
/** The last cause logged per check, so a probe every few seconds logs a cause once, not at every probe. */
const logged = new Map<string, string>();

/**
 * One readiness check as a Terminus indicator: up when `check` resolves (with its object when `showDetail`), down
 * otherwise. `/health/ready` answers without authentication, so a dependency's own error (hosts, users, tables)
 * goes to the log and the answer says only which dependency is down; a NotReady sentence is shown as it is.
 */
export async function readinessProbe(
  indicators: HealthIndicatorService,
  key: string,
  check: () => Promise<unknown>,
  /** Show what `check` resolved with (an object written for readers, such as the running pipelines' names). */
  showDetail = false,
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  try {
    const detail = await check();
    logged.delete(key);
    const shown = showDetail && detail && typeof detail === 'object' ? (detail as Record<string, unknown>) : undefined;
    return session.up(shown);
  } catch (err) {
    if (err instanceof NotReady) return session.down({ message: err.message });
    const cause = (err as Error).message;
    if (logged.get(key) !== cause) {
      logged.set(key, cause);
      log.warn(`not ready: ${key}: ${cause}`);
    }
    return session.down({ message: `${key} does not answer; the cause is in this instance's log` });
  }
}

/** `postgres`: the pool answers `SELECT 1` within the readiness timeout. */
export function postgresReady(pool: Pool): ReadinessCheck {
  return { key: 'postgres', check: () => bounded(pool.query('SELECT 1'), 'Postgres', READINESS_TIMEOUT_MS) };
}
