import { type BackoffOptions, backoffDelay } from './backoff';
import type { StreamsLogger } from './logger';

/** What an outage in progress looks like, for status pages and readiness. */
export interface OutageStatus {
  /** Epoch ms of the first failure of this outage. */
  since: number;
  /** Failed attempts so far. */
  attempts: number;
  lastError: Error;
}

/**
 * One dependency's outage, seen by one caller that retries: it says how long to wait before the next attempt
 * (exponential, capped, with a little jitter so that instances do not retry in step) and logs the outage once when
 * it starts and once when it ends, not on every attempt — a dead database retried for an hour is two log lines.
 */
export class Outage {
  private current: OutageStatus | undefined;

  constructor(
    /** Names the dependency and the caller in the log lines, e.g. `Postgres (checkpoints of "meters")`. */
    private readonly what: string,
    private readonly backoff: BackoffOptions,
    private readonly logger: StreamsLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  get status(): OutageStatus | undefined {
    return this.current;
  }

  /**
   * Records a failed attempt (logging only the first of an outage, at warn, with `doing`: what the caller does
   * meanwhile) and returns how long to wait before the next attempt.
   */
  failed(error: Error, doing: string, context: Record<string, unknown> = {}): number {
    if (!this.current) {
      this.current = { since: this.clock(), attempts: 0, lastError: error };
      this.logger.warn(`${this.what} unavailable: ${error.message}; ${doing}`, {
        ...context,
        retryMaxMs: this.backoff.maxMs,
      });
    }
    this.current.attempts++;
    this.current.lastError = error;
    this.logger.debug(`${this.what}: attempt ${this.current.attempts} failed: ${error.message}`, context);
    return this.delay(this.current.attempts);
  }

  /** An attempt worked: ends the outage (logged once, at info) and resets the back-off. Returns its length. */
  recovered(context: Record<string, unknown> = {}): { durationMs: number; attempts: number } | undefined {
    const outage = this.current;
    if (!outage) return undefined;
    this.current = undefined;
    const durationMs = this.clock() - outage.since;
    this.logger.info(`${this.what} available again after ${durationMs} ms (${outage.attempts} failed attempts)`, {
      ...context,
      durationMs,
      attempts: outage.attempts,
    });
    return { durationMs, attempts: outage.attempts };
  }

  private delay(attempt: number): number {
    return backoffDelay(attempt, this.backoff);
  }
}
