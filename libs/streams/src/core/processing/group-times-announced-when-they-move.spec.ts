import {
  type GroupTime,
  REPARTITION_SNAPSHOT_FORMAT_V1,
  RepartitionBoundary,
  type RepartitionMessage,
} from './repartition';
import { manualClock, rec } from './spec-helpers';

// With timeGroup a boundary announces, beside its partition's time, the time of each group (tenant) that moved —
// in the same marker, so an idle partition with many tenants still writes one marker a second, not one per tenant.
describe('group times of a repartition boundary', () => {
  const setup = () => {
    const wall = manualClock(1_000_000);
    const out: RepartitionMessage<number>[] = [];
    const boundary = new RepartitionBoundary<number>({
      keyBy: (_v, r) => r.key,
      timeGroup: (r) => r.key.slice(0, r.key.indexOf('/')),
      sink: out,
      idleMs: 10_000,
      mode: 'live',
      clock: wall.now,
    });
    boundary.assign(0);
    const markers = () =>
      out.splice(0).flatMap((m) => (m.kind === 'time' ? [{ t: m.streamTime, groups: m.groups ?? [] }] : []));
    return { wall, boundary, markers };
  };

  it('a group’s first marker says where it started; later ones carry only the groups that moved', () => {
    const { boundary, markers } = setup();
    boundary.process([rec('a/q1', 1_000_000, 1), rec('b/q1', 400_000, 1), rec('b/q2', 410_000, 1)]);
    // b started at 400_000 when the partition was at 1_000_000 (a's records)
    expect(markers()).toEqual([
      {
        t: 1_000_000,
        groups: [
          ['a', 1_000_000, 1_000_000, 1_000_000],
          ['b', 410_000, 400_000, 1_000_000],
        ],
      },
    ]);
    boundary.process([rec('b/q1', 420_000, 1)]); // the partition's time does not move, b's does
    expect(markers()).toEqual([{ t: 1_000_000, groups: [['b', 420_000]] }]);
    boundary.process([rec('b/q1', 415_000, 1)]); // moves nothing: no marker
    expect(markers()).toEqual([]);
  });

  it('idle: one marker a second carries every group that moved, never past the partition’s time', () => {
    const { wall, boundary, markers } = setup();
    boundary.process(Array.from({ length: 100 }, (_, i) => rec(`t${i}/q`, 1_000_000 - i, 1)));
    markers();
    for (let t = 1_010_000; t <= 1_013_000; t += 250) {
      wall.set(t);
      boundary.tick();
    }
    const idle = markers();
    expect(idle.map((m) => m.t)).toEqual([1_010_000, 1_011_000, 1_012_000, 1_013_000]);
    for (const m of idle) {
      expect(m.groups).toHaveLength(100);
      for (const [, time] of m.groups as GroupTime[]) expect(time).toBeLessThanOrEqual(m.t);
    }
    // t99 was 99 ms behind when the partition went quiet: it follows the wall clock from there
    expect(idle[0].groups.find(([g]) => g === 't99')).toEqual(['t99', 1_010_000 - 99]);
  });

  it('a quiet tenant follows the wall clock while another is live, capped at the partition’s time', () => {
    const { wall, boundary, markers } = setup();
    boundary.process([rec('a/q', 1_000_000, 1), rec('b/q', 700_000, 1)]);
    markers();
    wall.set(1_020_000);
    boundary.process([rec('a/q', 1_015_000, 1)]);
    markers();
    wall.set(1_021_000);
    boundary.tick(); // b quiet for 21 s: 700_000 + 21 s; the partition (a live) is not idle
    expect(markers()).toEqual([{ t: 1_015_000, groups: [['b', 721_000]] }]);
    // a's events come 20 s after they happened: b, quiet, would pass them by the wall clock — it stops at them
    const lagging = setup();
    lagging.boundary.process([rec('a/q', 980_000, 1), rec('b/q', 985_000, 1)]);
    lagging.markers();
    lagging.wall.set(1_020_000);
    lagging.boundary.process([rec('a/q', 1_000_000, 1)]);
    lagging.markers();
    lagging.wall.set(1_021_000);
    lagging.boundary.tick();
    expect(lagging.markers()).toEqual([{ t: 1_000_000, groups: [['b', 1_000_000]] }]);
  });

  it('snapshot and restore keep the group times; a /1 snapshot restores without them', () => {
    const { boundary, markers } = setup();
    boundary.process([rec('a/q', 1_000_000, 1), rec('b/q', 400_000, 1)]);
    markers();
    const snap = boundary.snapshot(0);
    expect(snap.groups).toEqual([
      ['a', 1_000_000, 1_000_000, 1_000_000, 1_000_000],
      ['b', 400_000, 400_000, 400_000, 1_000_000],
    ]);
    const again = setup();
    again.boundary.restore(0, JSON.parse(JSON.stringify(snap)));
    again.boundary.process([rec('b/q', 450_000, 1)]);
    expect(again.markers()).toEqual([{ t: 1_000_000, groups: [['b', 450_000]] }]);
    const old = setup();
    old.boundary.restore(0, {
      format: REPARTITION_SNAPSHOT_FORMAT_V1,
      partition: 0,
      sequence: 7,
      streamTime: 1_000_000,
      announcedTime: 1_000_000,
    });
    old.boundary.process([rec('b/q', 450_000, 1)]);
    expect(old.markers()).toEqual([{ t: 1_000_000, groups: [['b', 450_000, 450_000, 1_000_000]] }]);
    expect(old.boundary.snapshot(0).sequence).toBe(8);
  });
});
