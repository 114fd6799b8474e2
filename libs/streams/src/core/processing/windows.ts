import { StreamsConfigError } from '../errors';
import { requirePositiveIntegerMs } from './options';

/**
 * A window definition. Windows are half-open `[start, start + sizeMs)` and aligned to the epoch: starts
 * are the multiples of `stepMs`. Tumbling windows have `stepMs === sizeMs`; hopping windows overlap, so a
 * record belongs to every window whose span contains its timestamp.
 */
export interface WindowDefinition {
  readonly kind: 'tumbling' | 'hopping';
  readonly sizeMs: number;
  readonly stepMs: number;
}

/** Back-to-back windows of `sizeMs`, e.g. `tumbling(60_000)` for minutes. */
export function tumbling(sizeMs: number): WindowDefinition {
  requirePositiveIntegerMs('tumbling window size', sizeMs);
  return Object.freeze({ kind: 'tumbling' as const, sizeMs, stepMs: sizeMs });
}

/** Windows of `sizeMs` starting every `stepMs`, e.g. `hopping(60_000, 10_000)`. */
export function hopping(sizeMs: number, stepMs: number): WindowDefinition {
  requirePositiveIntegerMs('hopping window size', sizeMs);
  requirePositiveIntegerMs('hopping window step', stepMs);
  if (stepMs > sizeMs) {
    throw new StreamsConfigError(
      `hopping window step must be ≤ its size (${sizeMs} ms), or records would fall between windows; got ${stepMs}`,
      { context: { option: 'window', sizeMs, stepMs } },
    );
  }
  return Object.freeze({ kind: stepMs === sizeMs ? ('tumbling' as const) : ('hopping' as const), sizeMs, stepMs });
}

export function validateWindow(value: unknown): WindowDefinition {
  const w = value as Partial<WindowDefinition> | undefined;
  if (w === null || typeof w !== 'object' || typeof w.sizeMs !== 'number' || typeof w.stepMs !== 'number') {
    throw new StreamsConfigError('window is required: pass tumbling(sizeMs) or hopping(sizeMs, stepMs)', {
      context: { option: 'window' },
    });
  }
  return w.stepMs === w.sizeMs ? tumbling(w.sizeMs) : hopping(w.sizeMs, w.stepMs);
}

/** The start of the latest window (multiple of `stepMs`) containing `ts`; exact for negative times too. */
export function latestWindowStart(ts: number, stepMs: number): number {
  const r = ts % stepMs;
  return r < 0 ? ts - r - stepMs : ts - r;
}

/** The start of the earliest window of `def` containing `ts`. */
export function earliestWindowStart(def: WindowDefinition, ts: number): number {
  const last = latestWindowStart(ts, def.stepMs);
  if (def.stepMs === def.sizeMs) return last;
  // starts last - k·step with start + size > ts  ⇔  k < (last + size - ts) / step
  const kMax = Math.ceil((last + def.sizeMs - ts) / def.stepMs) - 1;
  return last - kMax * def.stepMs;
}
