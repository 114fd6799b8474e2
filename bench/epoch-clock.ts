/**
 * Epoch milliseconds with sub-millisecond resolution: the origin's wall-clock time plus the monotonic time since.
 * Every thread and process on the machine (the feed's worker, the clients, Chromium's page) reads the same clock
 * this way, so a produce ack in one and a receipt in another can be subtracted.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
