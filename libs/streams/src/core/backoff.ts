// Generic back-off between attempts against a dependency that is away (Postgres, Kafka): the wait and a sleep a
// stop can cut short. Outage (outage.ts) uses them to log an outage once; the stream processor between rejoins.

/** Exponential back-off between attempts against a dependency that is away. */
export interface BackoffOptions {
  /** Wait before the second attempt; every further one waits twice as long as the last. */
  initialMs: number;
  /** Upper bound of a wait, so the first attempt after the dependency returns comes soon enough. */
  maxMs: number;
}

/** The wait after the n-th failure in a row: initial · 2^(n−1), at most maxMs, ±10 %. */
export function backoffDelay(attempt: number, backoff: BackoffOptions): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

/** Resolves after `ms`, or as soon as `interrupt` is called (a stop must not wait out a long back-off). */
export function interruptibleSleep(ms: number): { done: Promise<void>; interrupt: () => void } {
  let interrupt: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    interrupt = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, interrupt };
}
