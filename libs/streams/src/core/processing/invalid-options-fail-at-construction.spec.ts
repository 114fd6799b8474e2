import { StreamsConfigError } from '../errors';
import { sum } from './aggregators';
import { RepartitionBoundary } from './repartition';
import { WindowedAggregation, type WindowedAggregationOptions } from './windowed-aggregation';
import { hopping, tumbling } from './windows';

const base: WindowedAggregationOptions<number, number, number> = {
  window: tumbling(1000),
  aggregator: sum(),
  sink: [],
};

describe('options that cannot work', () => {
  it.each([
    [{ grace: -5 }, 'grace must be ≥ 0 ms; got -5'],
    [{ idleMs: 0 }, 'idleMs must be > 0 ms, or omitted to turn it off; got 0'],
    [
      { emit: 'sometimes' },
      "emit must be 'current' (a row at every change) or 'final' (once, on close); got sometimes",
    ],
    [{ mode: 'fast' }, "mode must be 'live'"],
    [{ sink: undefined }, 'sink must be an object with push(item), e.g. a plain array'],
    [{ aggregator: { initial: () => 0, add: (a: number) => a } }, 'aggregator.merge must be a function'],
    [{ window: undefined }, 'window is required: pass tumbling(sizeMs) or hopping(sizeMs, stepMs)'],
    [{ inputs: 1.5 }, "inputs must be a whole number > 0 (the upstream topic's partition count); got 1.5"],
    [{ clock: 5 }, 'clock must be a function'],
    [{ restateForMs: -1 }, 'restateForMs must be ≥ 0 ms; got -1'],
    [{ restateForMs: Number.POSITIVE_INFINITY }, 'restateForMs must be ≥ 0 ms; got Infinity'],
    [{ closeBy: 'tenant' }, "closeBy must be 'partition' (default), 'key' (each key's own time) or a function"],
    [{ closeBy: 'key' }, "closeBy by key needs restateForMs: a key's clock is kept only while it holds windows"],
    [
      { closeBy: 'key', restateForMs: 60_000, inputs: 4 },
      "closeBy: 'key' cannot be combined with inputs: after a repartition hop a key's records come from several upstream partitions",
    ],
  ])('%o fails at construction with what to do instead', (patch, message) => {
    const make = () => new WindowedAggregation({ ...base, ...(patch as object) } as never);
    expect(make).toThrow(StreamsConfigError);
    expect(make).toThrow(message);
  });

  it('window definitions are checked where they are made', () => {
    expect(() => tumbling(0)).toThrow('tumbling window size must be a whole number of milliseconds > 0; got 0');
    expect(() => hopping(1000, 2000)).toThrow('hopping window step must be ≤ its size (1000 ms)');
    expect(() => new RepartitionBoundary({ keyBy: 'queue' as never, sink: [] })).toThrow('keyBy must be a function');
    expect(() => new RepartitionBoundary({ keyBy: () => 'q', sink: [], idleAnnounceMs: 0 })).toThrow(
      'idleAnnounceMs must be > 0 ms, or omitted to turn it off; got 0',
    );
    expect(() => new RepartitionBoundary({ keyBy: () => 'q', sink: [], timeGroup: 'tenant' as never })).toThrow(
      'timeGroup must be a function ((record) => its time group, e.g. the tenant)',
    );
  });
});
