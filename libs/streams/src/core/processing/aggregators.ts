import { StreamsConfigError } from '../errors';

/**
 * A mergeable aggregator. `add` folds one value into an accumulator; `merge` combines two accumulators
 * (so partial aggregates of the same window can be combined); `retract`, when present, takes a value out
 * again so an app can correct a live row. Accumulators are stored in snapshots: they must be plain
 * JSON-serialisable data (numbers, strings, booleans, null, arrays, plain objects; no Infinity, NaN,
 * Map or Date).
 *
 * For results that do not depend on arrival order, `add` must be commutative and associative. Floating
 * point sums are not (the last bits depend on order): sum integers (e.g. milliwatt-hours) for exact rows.
 */
export interface Aggregator<V, A, R = A> {
  /** A short name for errors and metrics. */
  readonly name?: string;
  initial(): A;
  add(acc: A, value: V): A;
  merge(a: A, b: A): A;
  retract?(acc: A, value: V): A;
  /** Turns the accumulator into the row value; the accumulator itself when omitted. */
  result?(acc: A): R;
}

/** The number of values (retractable). */
export function count<V = unknown>(): Aggregator<V, number, number> {
  return {
    name: 'count',
    initial: () => 0,
    add: (acc) => acc + 1,
    merge: (a, b) => a + b,
    retract: (acc) => acc - 1,
  };
}

/** The sum of `select(value)`, or of the value itself (retractable). */
export function sum<V = number>(select?: (value: V) => number): Aggregator<V, number, number> {
  if (select === undefined) {
    return {
      name: 'sum',
      initial: () => 0,
      add: (acc, v) => acc + (v as unknown as number),
      merge: (a, b) => a + b,
      retract: (acc, v) => acc - (v as unknown as number),
    };
  }
  return {
    name: 'sum',
    initial: () => 0,
    add: (acc, v) => acc + select(v),
    merge: (a, b) => a + b,
    retract: (acc, v) => acc - select(v),
  };
}

/** The smallest value; `null` for a window without values. Not retractable. */
export function min<V = number>(select?: (value: V) => number): Aggregator<V, number | null, number | null> {
  const pick = select ?? ((v: V) => v as unknown as number);
  return {
    name: 'min',
    initial: () => null,
    add: (acc, v) => {
      const x = pick(v);
      return acc === null || x < acc ? x : acc;
    },
    merge: (a, b) => (a === null ? b : b === null ? a : Math.min(a, b)),
  };
}

/** The largest value; `null` for a window without values. Not retractable. */
export function max<V = number>(select?: (value: V) => number): Aggregator<V, number | null, number | null> {
  const pick = select ?? ((v: V) => v as unknown as number);
  return {
    name: 'max',
    initial: () => null,
    add: (acc, v) => {
      const x = pick(v);
      return acc === null || x > acc ? x : acc;
    },
    merge: (a, b) => (a === null ? b : b === null ? a : Math.max(a, b)),
  };
}

/** Checks an aggregator's shape once, at construction. */
export function validateAggregator(value: unknown): void {
  const agg = value as Partial<Aggregator<unknown, unknown, unknown>> | undefined;
  const hint = 'pass count(), sum(), min(), max() or { initial(), add(acc, value), merge(a, b), retract?, result? }';
  if (agg === null || typeof agg !== 'object') {
    throw new StreamsConfigError(`aggregator is required: ${hint}`, { context: { option: 'aggregator' } });
  }
  for (const fn of ['initial', 'add', 'merge'] as const) {
    if (typeof agg[fn] !== 'function') {
      throw new StreamsConfigError(`aggregator.${fn} must be a function: ${hint}`, {
        context: { option: 'aggregator', missing: fn, aggregator: agg.name },
      });
    }
  }
  for (const fn of ['retract', 'result'] as const) {
    if (agg[fn] !== undefined && typeof agg[fn] !== 'function') {
      throw new StreamsConfigError(`aggregator.${fn} must be a function or omitted: ${hint}`, {
        context: { option: 'aggregator', field: fn, aggregator: agg.name },
      });
    }
  }
}
