import type { ConsumerLagFigures } from './consumer-lag';
import { LagPoller } from './lag-poller';
import { DEFAULT_LIVE_LIMITS } from './live-options';
import { LiveState } from './live-state';

const figures = (partition: number, next: number, end: number, owner = 'a-1'): ConsumerLagFigures => ({
  consumer_group: 'agg.energy',
  topic: 'events.meters',
  partition,
  next_offset: next,
  end_offset: end,
  lag: end - next,
  owner_id: owner,
  owner_epoch: 1,
  updated_at: '2026-11-25T10:00:00.000Z',
});

const newState = () => new LiveState('e', DEFAULT_LIVE_LIMITS, async () => []);
const lagRows = (state: LiveState) =>
  new Map(
    state
      .channel(null, 'lag')
      ?.log.snapshot()
      .rows.map((r) => [r.id, r.version]) ?? [],
  );

describe('the lag channel', () => {
  it('gives a row a new, higher version only when a figure changed', () => {
    const state = newState();
    expect(state.applyConsumerLag([figures(0, 1, 5), figures(1, 0, 0)], true)).toBe(2);
    const log = state.channel(null, 'lag')?.log;
    const seq = log?.seq;
    expect(state.applyConsumerLag([figures(0, 1, 5), figures(1, 0, 0)], true)).toBe(0);
    expect(log?.seq).toBe(seq);
    state.applyConsumerLag([figures(0, 5, 5), figures(1, 0, 0, 'a-2')], true);
    state.applyConsumerLag([figures(0, 5, 9), figures(1, 0, 0, 'a-2')], true);
    expect(lagRows(state)).toEqual(
      new Map([
        ['agg.energy/events.meters/0', 3],
        ['agg.energy/events.meters/1', 2],
      ]),
    );
  });

  it('removes a row missing from a complete round (tombstone), never from an incomplete one, and can bring it back', () => {
    const state = newState();
    state.applyConsumerLag([figures(0, 1, 5), figures(1, 0, 0)], true);
    state.applyConsumerLag([figures(0, 1, 5)], false);
    expect(lagRows(state).size).toBe(2);
    state.applyConsumerLag([figures(0, 1, 5)], true);
    const log = state.channel(null, 'lag')?.log;
    expect(log?.row('agg.energy/events.meters/1')).toBeNull();
    expect(log?.frameSince(1)?.rows).toEqual([
      { id: 'agg.energy/events.meters/1', kind: 'consumer_lag', version: 2, row: null },
    ]);
    state.applyConsumerLag([figures(0, 1, 5), figures(1, 0, 0)], true);
    expect(lagRows(state).get('agg.energy/events.meters/1')).toBe(3);
  });

  it('is one channel for every operator, whatever their tenant', () => {
    const state = newState();
    expect(state.acquire('t1', { kind: 'lag' })).toBe(state.acquire('t2', { kind: 'lag' }));
  });

  it('polls one round at a time, keeps the last figures through a failure and says so once', async () => {
    const state = newState();
    const logged: string[] = [];
    const logger = { log: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: () => {} };
    let failing = false;
    let next = 1;
    const poller = new LagPoller(
      {
        checkpoints: async () => {
          if (failing) throw new Error('connection refused');
          return [
            {
              consumerGroup: 'agg.energy',
              topic: 'events.meters',
              partition: 0,
              nextOffset: String(next),
              ownerId: 'a-1',
              ownerEpoch: '1',
              updatedAt: new Date(0),
            },
          ];
        },
        ranges: async () => new Map([['events.meters', [{ partition: 0, low: '0', high: '10' }]]]),
      },
      (rows, complete) => state.applyConsumerLag(rows, complete),
      { intervalMs: 60_000, maxRows: 10 },
      logger,
    );
    await Promise.all([poller.poll(), poller.poll()]);
    expect(poller.rounds).toBe(1);
    const row = () => state.channel(null, 'lag')?.log.row('agg.energy/events.meters/0');
    expect(row()).toMatchObject({ next_offset: 1, lag: 9 });
    failing = true;
    await poller.poll();
    await poller.poll();
    expect(row()).toMatchObject({ next_offset: 1, lag: 9 });
    failing = false;
    next = 10;
    await poller.poll();
    expect(row()).toMatchObject({ next_offset: 10, lag: 0 });
    expect(logged).toEqual([
      'consumer lag: cannot read it (connection refused); keeping the last figures',
      expect.stringMatching(/^consumer lag: readable again after \d+ ms$/),
    ]);
  });
});
