import { z } from 'zod';
import { StreamsValidationError } from '../core/errors';
import { encode } from '../core/model/codec';
import { TimeseriesData } from '../core/model/timeseries-data';
import { PublishQueue } from './publish-queue';
import { StreamConsumer } from './stream-consumer';
import { TopicProducer } from './topic-producer';

const reading = z.object({ energyWh: z.number().nonnegative(), powerW: z.number().optional() });

describe('typed streams', () => {
  const producer = new TopicProducer('meters', new PublishQueue({ send: async () => {}, close: async () => {} }));

  it('rejects an invalid row at publish with an error naming the field', () => {
    const s = producer.getOrCreateStream('m-1', { timeseries: reading });
    expect(() => s.timeseries.buffer.addTimestamp(5).addValue('energyWh', -1).publish()).toThrow(
      StreamsValidationError,
    );
    expect(() => s.timeseries.buffer.addRow(5, { energyWh: 'x' as unknown as number })).toThrow(
      /row at 5 of stream "m-1": energyWh: /,
    );
    expect(() => s.timeseries.buffer.addRow(6, { energyWh: 1.5, powerW: 3 })).not.toThrow();
  });

  it('gives consumer handlers typed rows, and refuses rows that do not match', () => {
    const stream = new StreamConsumer('meters', 0, 'm-1', reading);
    const got: { ts: number; wh: number }[] = [];
    stream.timeseries.onRowsReceived((rows) => {
      for (const r of rows) got.push({ ts: r.timestamp, wh: r.values.energyWh });
    });
    const ok = new TimeseriesData();
    ok.setNumeric(ok.addRow(1), 'energyWh', 10);
    stream.dispatch({ kind: 'timeseries', data: ok });
    expect(got).toEqual([{ ts: 1, wh: 10 }]);

    const bad = new TimeseriesData();
    bad.setString(bad.addRow(2), 'energyWh', 'ten');
    expect(() => stream.dispatch({ kind: 'timeseries', data: bad })).toThrow(/row at 2 of stream "m-1": energyWh/);
    expect(encode('m-1', { kind: 'timeseries', data: ok }).key).toBe('m-1');
  });
});
