/**
 * Cheap, deterministic estimates of retained heap bytes, calibrated against V8 (Node 20, 64-bit, no pointer
 * compression) with `process.memoryUsage().heapUsed` over 100k one-window keys (~200 B each); see the README for the
 * measurement. Estimates, not exact counts: they exist so memory can be bounded and reported.
 */

/** A Map entry plus a string key of `length` UTF-16 units. */
export function keyBytes(length: number): number {
  return 64 + 2 * length;
}

/** A structural estimate of a plain JSON-like value. */
export function estimateBytes(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'number':
      return 8;
    case 'boolean':
      return 4;
    case 'string':
      return 16 + 2 * value.length;
    case 'undefined':
      return 0;
    case 'object': {
      if (value === null) return 0;
      if (depth > 8) return 64;
      if (Array.isArray(value)) {
        let n = 32 + 8 * value.length;
        for (const item of value) n += estimateBytes(item, depth + 1);
        return n;
      }
      let n = 56;
      for (const k of Object.keys(value)) n += 8 + estimateBytes((value as Record<string, unknown>)[k], depth + 1);
      return n;
    }
    default:
      return 16;
  }
}
