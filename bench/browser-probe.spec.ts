import { domLatency, frameStats } from './browser-probe';
import { probeVersionOf } from './energy-probe';
import { wallboardPage } from './wallboard-probe';

// The browser probe's arithmetic, without a browser: which produced versions a page's DOM records account for (and
// from when), what its frame gaps and main-thread seconds say, and how each page's cell text reads as a version.
describe('browser probe', () => {
  // Row 0 ("q-a") produced versions 1…4, acked at 1000 + 10·v; version 1 existed before the probe watched.
  const feed = {
    version: (i: number) => (i === 0 ? 4 : 0),
    ackedAt: (i: number, v: number) => (i === 0 && v >= 1 && v <= 4 ? 1000 + 10 * v : undefined),
  };
  const probes = new Map([['q-a', 0]]);

  it('times each produced version from its ack to the first record showing it or a newer one', () => {
    // The page showed 2 at 1100, then 4 at 1200 (3 was conflated: it went straight from 2 to 4).
    const seen: [string, number, number][] = [
      ['q-a', 1, 900],
      ['q-a', 2, 1100],
      ['q-a', 4, 1200],
    ];
    const r = domLatency(feed, probes, new Map([[0, 1]]), seen);
    expect(r).toEqual({ samples: 3, conflated: 1, unseen: 0, latencies: [80, 160, 170] });
  });

  it('counts a version the page never showed as unseen, not as a latency', () => {
    const r = domLatency(feed, probes, new Map([[0, 1]]), [['q-a', 2, 1100]]);
    expect(r.samples).toBe(1);
    expect(r.unseen).toBe(2);
  });

  it('reads frames per second, long frames and main-thread shares off the frame gaps', () => {
    // 1 s of frames: 48 of 16 ms, one of 100 ms, one of 132 ms; 0.5 s of tasks, 0.2 s script, 0.1 s style + layout.
    const gaps = [...Array(48).fill(16), 100, 132];
    const f = frameStats(gaps, { task: 0.5, script: 0.2, styleAndLayout: 0.1, renderer: 0.3 });
    expect(f).toEqual({
      perSecond: 50,
      long: 2,
      longestMs: 132,
      mainThreadBusy: 0.5,
      script: 0.2,
      styleAndLayout: 0.1,
      rendererCpu: 0.3,
    });
    expect(frameStats([], { task: 1, script: 0, styleAndLayout: 0, renderer: 0 }).perSecond).toBe(0);
  });

  it("reads a version off each page's cell: the wallboard's waiting count, the energy page's kWh", () => {
    expect(wallboardPage.versionOf('12')).toBe(12);
    expect(wallboardPage.versionOf('—')).toBe(0);
    expect(probeVersionOf('12.00 kWh')).toBe(12);
    expect(probeVersionOf('1.10 MWh')).toBe(1100);
    expect(probeVersionOf('—')).toBe(0);
  });
});
