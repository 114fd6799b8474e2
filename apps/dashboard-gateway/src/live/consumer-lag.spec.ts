import { type CheckpointRow, consumerLagRows, type PartitionRange } from './consumer-lag';

const at = new Date('2026-11-25T10:00:00.000Z');
const checkpoint = (group: string, topic: string, partition: number, next: string | null): CheckpointRow => ({
  consumerGroup: group,
  topic,
  partition,
  nextOffset: next,
  ownerId: `${group}-owner`,
  ownerEpoch: '3',
  updatedAt: at,
});
const range = (partition: number, low: string, high: string): PartitionRange => ({ partition, low, high });

describe('consumer lag rows', () => {
  it('is end − checkpointed next per partition, with the owner', () => {
    const rows = consumerLagRows(
      [checkpoint('agg.energy', 'events.meters', 0, '40'), checkpoint('agg.energy', 'events.meters', 1, '7')],
      new Map([['events.meters', [range(0, '0', '42'), range(1, '5', '7')]]]),
    );
    expect(rows).toEqual([
      {
        consumer_group: 'agg.energy',
        topic: 'events.meters',
        partition: 0,
        next_offset: 40,
        end_offset: 42,
        lag: 2,
        owner_id: 'agg.energy-owner',
        owner_epoch: 3,
        updated_at: '2026-11-25T10:00:00.000Z',
      },
      expect.objectContaining({ partition: 1, next_offset: 7, end_offset: 7, lag: 0 }),
    ]);
  });

  it('counts a partition without a checkpoint from the log start, with no owner when none acquired it', () => {
    const rows = consumerLagRows(
      [checkpoint('agg.calls', 'events.calls', 0, null)],
      new Map([['events.calls', [range(0, '10', '25'), range(1, '3', '9')]]]),
    );
    expect(rows).toEqual([
      expect.objectContaining({ partition: 0, next_offset: null, end_offset: 25, lag: 15, owner_epoch: 3 }),
      expect.objectContaining({
        partition: 1,
        next_offset: null,
        end_offset: 9,
        lag: 6,
        owner_id: null,
        owner_epoch: null,
        updated_at: null,
      }),
    ]);
  });

  it('keeps a partition whose topic cannot be read, with an unknown end and lag', () => {
    expect(consumerLagRows([checkpoint('agg.queues', 'gone', 1, '5')], new Map())).toEqual([
      expect.objectContaining({
        consumer_group: 'agg.queues',
        topic: 'gone',
        next_offset: 5,
        end_offset: null,
        lag: null,
      }),
    ]);
  });

  it('keeps groups reading one topic apart, sorted by group, topic, partition', () => {
    const ends = new Map([['metrics.updates', [range(1, '0', '9'), range(0, '0', '4')]]]);
    const rows = consumerLagRows(
      [checkpoint('agg.b', 'metrics.updates', 1, '9'), checkpoint('agg.a', 'metrics.updates', 0, '1')],
      ends,
    );
    expect(rows.map((r) => [r.consumer_group, r.partition, r.lag])).toEqual([
      ['agg.a', 0, 3],
      ['agg.a', 1, 9],
      ['agg.b', 0, 4],
      ['agg.b', 1, 0],
    ]);
  });
});
