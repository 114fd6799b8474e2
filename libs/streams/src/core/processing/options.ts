import { StreamsConfigError } from '../errors';
import type { Clock, TimeMode } from './record';

// Validation helpers: each failure says what was wrong and what to pass instead.

export function requireNonNegativeMs(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StreamsConfigError(`${name} must be ≥ 0 ms; got ${String(value)}`, { context: { option: name, value } });
  }
  return value;
}

export function requirePositiveIntegerMs(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new StreamsConfigError(`${name} must be a whole number of milliseconds > 0; got ${String(value)}`, {
      context: { option: name, value },
    });
  }
  return value;
}

export function optionalPositiveMs(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new StreamsConfigError(`${name} must be > 0 ms, or omitted to turn it off; got ${String(value)}`, {
      context: { option: name, value },
    });
  }
  return value;
}

export function optionalPositiveInteger(name: string, value: unknown, hint: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new StreamsConfigError(`${name} must be a whole number > 0 (${hint}); got ${String(value)}`, {
      context: { option: name, value },
    });
  }
  return value;
}

export function requireFunction<F>(name: string, value: unknown, hint: string): F {
  if (typeof value !== 'function') {
    throw new StreamsConfigError(`${name} must be a function (${hint}); got ${typeof value}`, {
      context: { option: name },
    });
  }
  return value as F;
}

export function optionalFunction<F>(name: string, value: unknown, hint: string): F | undefined {
  return value === undefined ? undefined : requireFunction<F>(name, value, hint);
}

export function requireSink(name: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || typeof (value as { push?: unknown }).push !== 'function') {
    throw new StreamsConfigError(
      `${name} must be an object with push(item), e.g. a plain array; got ${String(value)}`,
      {
        context: { option: name },
      },
    );
  }
}

export function optionalSink(name: string, value: unknown): void {
  if (value !== undefined) requireSink(name, value);
}

export function timeMode(value: unknown): TimeMode {
  if (value === undefined) return 'live';
  if (value !== 'live' && value !== 'replay') {
    throw new StreamsConfigError(
      `mode must be 'live' (idle partitions advance with the wall clock) or 'replay' (they never do); got ${String(value)}`,
      { context: { option: 'mode', value } },
    );
  }
  return value;
}

export function clockOption(value: unknown): Clock {
  return optionalFunction<Clock>('clock', value, 'a () => epoch ms wall clock; omit it for Date.now') ?? Date.now;
}
