import type { StreamRecord } from './record';

type Step =
  | { readonly kind: 'filter'; readonly fn: (value: unknown, record: StreamRecord<unknown>) => boolean }
  | { readonly kind: 'map'; readonly fn: (value: unknown, record: StreamRecord<unknown>) => unknown };

/**
 * Stateless keyed operators: `filter` and `map` run on each record in order and keep its key, time and
 * partition. Immutable: every call returns a new pipeline. `apply` runs a whole batch in one loop.
 */
export class Pipeline<In, Out = In> {
  private constructor(private readonly steps: readonly Step[]) {}

  static of<T>(): Pipeline<T, T> {
    return new Pipeline<T, T>([]);
  }

  filter(predicate: (value: Out, record: StreamRecord<Out>) => boolean): Pipeline<In, Out> {
    return new Pipeline<In, Out>([...this.steps, { kind: 'filter', fn: predicate as Step['fn'] } as Step]);
  }

  map<Next>(fn: (value: Out, record: StreamRecord<Out>) => Next): Pipeline<In, Next> {
    return new Pipeline<In, Next>([...this.steps, { kind: 'map', fn: fn as Step['fn'] } as Step]);
  }

  get isEmpty(): boolean {
    return this.steps.length === 0;
  }

  /** Runs the batch through every step; appends survivors to `out` (a new array by default). */
  apply(records: readonly StreamRecord<In>[], out: StreamRecord<Out>[] = []): StreamRecord<Out>[] {
    const steps = this.steps;
    const n = steps.length;
    outer: for (let i = 0; i < records.length; i++) {
      let r = records[i] as StreamRecord<unknown>;
      for (let s = 0; s < n; s++) {
        const step = steps[s];
        if (step.kind === 'filter') {
          if (!step.fn(r.value, r)) continue outer;
        } else {
          r = withValue(r, step.fn(r.value, r));
        }
      }
      out.push(r as StreamRecord<Out>);
    }
    return out;
  }
}

/** A copy of `r` with another value; one object shape for every record keeps property access monomorphic. */
export function withValue<T>(r: StreamRecord<unknown>, value: T): StreamRecord<T> {
  return {
    key: r.key,
    value,
    timestamp: r.timestamp,
    partition: r.partition,
    offset: r.offset,
    source: r.source,
    sequence: r.sequence,
    retract: r.retract,
  };
}
