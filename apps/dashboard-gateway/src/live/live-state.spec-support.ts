import { DEFAULT_LIVE_LIMITS, type LiveLimits } from './live-options';
import { type BoundNotice, LiveState } from './live-state';

/** A LiveState on a clock the spec moves, with no Postgres (empty loads), recording every bound notice. */
export function boundedState(limits: Partial<LiveLimits>, start = '2026-12-04T10:00:00Z') {
  const clock = { now: Date.parse(start) };
  const notices: BoundNotice[] = [];
  const s = new LiveState(
    'e',
    { ...DEFAULT_LIVE_LIMITS, ...limits },
    async () => [],
    () => clock.now,
    undefined,
    (n) => notices.push(n),
  );
  return { s, clock, notices };
}
