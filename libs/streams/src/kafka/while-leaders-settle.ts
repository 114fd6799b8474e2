// A topic created a moment ago (here, or by another service starting beside this one) is refused for a moment
// until the broker has settled its leaders: "This server does not host this topic-partition" to a subscribe or
// an offset fetch, "This server is not the leader for that topic-partition" to an offset read. kafkajs retries
// neither inside subscribe or fetchOffsets, so a member starting beside the one that created the topic failed its
// start (seen in CI: two aggregator replicas of the compose demo starting together).
import { backoffDelay } from '../core/backoff';

const SETTLE = { initialMs: 100, maxMs: 1000 };

function retriable(err: unknown): boolean {
  const e = err as { retriable?: boolean; cause?: { retriable?: boolean } } | undefined;
  return Boolean(e?.retriable || e?.cause?.retriable);
}

/** Runs `call`, again after a short back-off while the refusal is retriable, for at most `timeoutMs`. */
export async function whileLeadersSettle<T>(call: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!retriable(err) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, SETTLE)));
    }
  }
}
