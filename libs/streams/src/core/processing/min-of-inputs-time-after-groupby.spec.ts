import { sum } from './aggregators';
import type { StreamRecord, WindowRow } from './record';
import { RepartitionBoundary, type RepartitionMessage } from './repartition';
import { rec } from './spec-helpers';
import { WindowedAggregation } from './windowed-aggregation';
import { tumbling } from './windows';

interface Call {
  queue: string;
  waitMs: number;
}

describe('an operator after groupBy, fed by two upstream partitions', () => {
  const setup = () => {
    const repartitioned: RepartitionMessage<Call>[] = [];
    const stage1 = new RepartitionBoundary<Call>({ keyBy: (v) => v.queue, sink: repartitioned });
    stage1.assign(0);
    stage1.assign(1);
    const rows: WindowRow<number>[] = [];
    // one downstream partition here, so every re-keyed record and every time marker lands in it
    const stage2 = new WindowedAggregation<Call, number, number>({
      window: tumbling(60_000),
      aggregator: sum((c: Call) => c.waitMs),
      grace: 0,
      emit: 'final',
      inputs: 2,
      sink: rows,
    });
    stage2.assign(0);
    const drain = () => {
      stage2.processMessages(0, repartitioned.splice(0));
    };
    return { stage1, stage2, rows, drain };
  };
  const call = (id: string, ts: number, queue: string, waitMs: number, partition: number): StreamRecord<Call> =>
    rec(id, ts, { queue, waitMs }, partition);

  it('runs on the minimum of its inputs, so a backlog on one partition never makes the other late', () => {
    const { stage1, stage2, rows, drain } = setup();
    // partition 0 is live at 10:05; partition 1 is catching up from 10:00 (a backlog)
    stage1.process([call('c1', 605_000, 'sales', 1, 0)]);
    drain();
    expect(stage2.stats(0).streamTime).toBeNull(); // input 1 has said nothing yet: no time
    stage1.process([call('c2', 0, 'sales', 10, 1), call('c3', 30_000, 'sales', 20, 1)]);
    drain();
    expect(stage2.stats(0).streamTime).toBe(30_000); // min(605 000, 30 000)
    expect(stage2.stats(0).late).toBe(0);
    expect(rows).toEqual([]);
    stage1.process([call('c4', 120_000, 'sales', 5, 1)]);
    drain();
    expect(rows).toEqual([
      {
        key: 'sales',
        windowStart: 0,
        windowEnd: 60_000,
        value: 30,
        final: true,
        version: 1,
        revision: 0,
        restated: false,
        partition: 0,
      },
    ]);
  });

  it('a record from either input behind the minimum time is late', () => {
    const { stage1, stage2, drain } = setup();
    stage1.process([call('a', 200_000, 'q', 1, 0), call('b', 200_000, 'q', 1, 1)]);
    stage1.process([call('c', 50_000, 'q', 1, 1)]);
    drain();
    expect(stage2.stats(0).late).toBe(1);
  });

  it('drops repartitioned records it has already seen (same source sequence)', () => {
    const { stage1, stage2, rows, drain } = setup();
    stage1.process([call('a', 1_000, 'q', 1, 0), call('b', 2_000, 'q', 2, 1)]);
    drain();
    // the relay delivers the same messages again (at least once): no change
    stage1.restore(0, {
      format: 'switchboard.repartition/1',
      partition: 0,
      sequence: -1,
      streamTime: null,
      announcedTime: null,
    });
    stage1.process([call('a', 1_000, 'q', 1, 0)]);
    drain();
    stage1.process([call('x', 70_000, 'q', 0, 0), call('y', 70_000, 'q', 0, 1)]);
    drain();
    expect(stage2.stats(0).duplicates).toBe(1);
    expect(rows.find((r) => r.windowStart === 0)?.value).toBe(3);
  });
});
