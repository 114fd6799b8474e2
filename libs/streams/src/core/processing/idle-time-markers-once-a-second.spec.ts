import type { RepartitionMessage } from './repartition';
import { RepartitionBoundary } from './repartition';
import { manualClock, rec } from './spec-helpers';

// An idle stage 1 keeps announcing its advancing time to stage 2: once per idleAnnounceMs of stream time, not at
// every tick — each marker is an outbox row, a publish and a checkpoint on both sides of the hop.
describe('time markers of an idle partition', () => {
  const setup = (idleAnnounceMs?: number) => {
    const wall = manualClock(1_000_000);
    const out: RepartitionMessage<number>[] = [];
    const boundary = new RepartitionBoundary<number>({
      keyBy: () => 'queue',
      sink: out,
      idleMs: 10_000,
      idleAnnounceMs,
      mode: 'live',
      clock: wall.now,
    });
    boundary.assign(0);
    const markers = () => out.filter((m) => m.kind === 'time').map((m) => (m.kind === 'time' ? m.streamTime : 0));
    return { wall, boundary, markers };
  };

  it('go out once a second of stream time by default, whatever the tick rate', () => {
    const { wall, boundary, markers } = setup();
    boundary.process([rec('call', 1_000_000, 1)]);
    expect(markers()).toEqual([1_000_000]);
    for (let t = 1_010_000; t <= 1_012_000; t += 250) {
      wall.set(t);
      boundary.tick();
    }
    // idle from 1_010_000 (idleMs after the record): 1_010_000, then every 1000 ms — not the 250 ms ticks between
    expect(markers()).toEqual([1_000_000, 1_010_000, 1_011_000, 1_012_000]);
  });

  it('a record announces its partition time at once, even right after an idle marker', () => {
    const { wall, boundary, markers } = setup();
    boundary.process([rec('call', 1_000_000, 1)]);
    wall.set(1_010_000);
    boundary.tick();
    wall.set(1_010_250);
    boundary.tick(); // 1_010_250 moved 250 ms only: not announced yet
    expect(markers()).toEqual([1_000_000, 1_010_000]);
    boundary.process([rec('call', 1_010_100, 2)]); // older than the idle time: the time stays 1_010_250
    expect(markers()).toEqual([1_000_000, 1_010_000, 1_010_250]);
  });

  it('idleAnnounceMs sets the step', () => {
    const { wall, boundary, markers } = setup(5000);
    boundary.process([rec('call', 1_000_000, 1)]);
    for (let t = 1_010_000; t <= 1_020_000; t += 1000) {
      wall.set(t);
      boundary.tick();
    }
    expect(markers()).toEqual([1_000_000, 1_010_000, 1_015_000, 1_020_000]);
  });
});
