import * as S from './assets/services-logic';
import type { LiveRow } from './assets/wallboard-logic';

// The panel's pure logic, the very file the browser loads (a classic script, required here as CommonJS).

const status = (key: string, row: Record<string, unknown> | null, version = 2): LiveRow => ({
  id: key,
  kind: 'service_status',
  version,
  row: row && { key, ...row },
});
const lag = (group: string, topic: string, partition: number, figures: Record<string, unknown> | null): LiveRow => ({
  id: `${group}/${topic}/${partition}`,
  kind: 'consumer_lag',
  version: 1,
  row: figures && { consumer_group: group, topic, partition, ...figures },
});

describe('services panel logic', () => {
  const now = Date.parse('2026-11-25T10:00:30Z');
  const running = {
    service: 'aggregator',
    status: 'Running',
    since: Date.parse('2026-11-25T09:00:00Z'),
    heartbeatAt: now - 4_000,
    host: 'h1',
    pid: 42,
    unresponsive: false,
  };

  it('lists live instances by service then instance, with heartbeat age and the gateway’s unresponsive flag', () => {
    const lines = S.instances(
      [
        status('ingest/i1', { ...running, service: 'ingest', instanceId: 'i1' }),
        status('aggregator/b', { ...running, instanceId: 'b', heartbeatAt: now - 61_000, unresponsive: true }),
        status('aggregator/a', { ...running, instanceId: 'a', detail: 'SIGTERM' }),
        status('aggregator/gone', null, 9),
        lag('agg.energy', 'events.meters', 0, { lag: 1 }),
      ],
      now,
    );
    expect(lines.map((l) => [l.key, l.status, l.heartbeatAgeMs, l.unresponsive])).toEqual([
      ['aggregator/a', 'Running', 4_000, false],
      ['aggregator/b', 'Running', 61_000, true],
      ['ingest/i1', 'Running', 4_000, false],
    ]);
    expect(lines[0]).toMatchObject({ service: 'aggregator', instance: 'a', detail: 'SIGTERM', host: 'h1:42' });
  });

  it('lists lag by group, topic and partition, without tombstones, and grades it', () => {
    const lines = S.lagLines([
      lag('agg.queues', 'agg.calls.by-queue', 1, { next_offset: 9, end_offset: 9, lag: 0, owner_id: 'x' }),
      lag('agg.energy', 'events.meters', 10, { next_offset: null, end_offset: 7, lag: 7, owner_id: null }),
      lag('agg.energy', 'events.meters', 2, { next_offset: 3, end_offset: null, lag: null, owner_id: 'y' }),
      lag('agg.calls', 'events.calls', 0, null),
      status('ingest/i1', running),
    ]);
    expect(lines.map((l) => [l.group, l.partition, l.lag, S.lagLevel(l.lag)])).toEqual([
      ['agg.energy', 2, null, 'unknown'],
      ['agg.energy', 10, 7, 'some'],
      ['agg.queues', 1, 0, 'none'],
    ]);
  });

  it('formats ages, instants and counts', () => {
    expect([0, 4_900, 125_000, 3 * 3600_000 + 7 * 60_000, 49 * 3600_000].map(S.formatAge)).toEqual([
      '0 s',
      '4 s',
      '2 min 5 s',
      '3 h 7 min',
      '2 d 1 h',
    ]);
    expect(S.formatAge(-5)).toBe('0 s');
    expect(S.formatInstant(Date.parse('2026-11-25T09:00:00Z'))).toBe('2026-11-25 09:00:00 UTC');
    expect(S.formatInstant('2026-11-25T09:00:00.123Z')).toBe('2026-11-25 09:00:00 UTC');
    expect([null, '', 'nope'].map(S.formatInstant)).toEqual(['—', '—', '—']);
    expect([1234567, 0, null].map(S.formatCount)).toEqual(['1,234,567', '0', '—']);
  });
});
