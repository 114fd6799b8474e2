import { chartPacer, queueSeries, seriesSignature } from './assets/chart-logic';

// The pages' chart pacing (ChartLogic.chartPacer), the very file the browser loads: under a fast feed a chart's
// canvas is redrawn when its columns changed, at most once per interval and a few charts a render (oldest drawn
// first), so 50 wallboard charts at 2,000 updates/s no longer redraw every frame; nothing changed, nothing drawn.
describe('chart pacing', () => {
  it('redraws a changed chart at once after a quiet spell, then at most once per interval with its newest columns', () => {
    const pacer = chartPacer({ minIntervalMs: 1000, perRender: 8 });
    pacer.drawn('sales', 'v1', 0);
    expect(pacer.take(5000)).toEqual({ keys: [], more: false }); // unchanged: nothing to draw
    pacer.want('sales', 'v2');
    expect(pacer.take(5000).keys).toEqual(['sales']); // quiet for 5 s: drawn at once
    pacer.want('sales', 'v3');
    expect(pacer.take(5100).keys).toEqual([]); // drawn 100 ms ago: waits
    pacer.want('sales', 'v4');
    expect(pacer.take(5999).keys).toEqual([]);
    expect(pacer.take(6000).keys).toEqual(['sales']); // a second later, with what it wants then
    expect(pacer.take(9000).keys).toEqual([]); // v4 drawn: nothing left
  });

  it('draws a few charts a render, those drawn longest ago first, and says when some were left for the next', () => {
    const pacer = chartPacer({ minIntervalMs: 1000, perRender: 2 });
    pacer.drawn('q-c', 'a', 300);
    pacer.drawn('q-a', 'a', 100);
    pacer.drawn('q-b', 'a', 200);
    for (const q of ['q-a', 'q-b', 'q-c']) pacer.want(q, 'b');
    expect(pacer.take(2000)).toEqual({ keys: ['q-a', 'q-b'], more: true });
    expect(pacer.take(2016)).toEqual({ keys: ['q-c'], more: false });
  });

  it('draws a chart it never saw drawn, and forgets a removed one', () => {
    const pacer = chartPacer();
    pacer.want('new', 's');
    expect(pacer.take(0).keys).toEqual(['new']);
    pacer.want('new', 't');
    pacer.forget('new');
    expect(pacer.take(10_000).keys).toEqual([]);
  });

  it('refuses options it cannot pace with, in a sentence', () => {
    expect(() => chartPacer({ perRender: 0 })).toThrow('chartPacer: perRender must be at least 1, not 0');
    expect(() => chartPacer({ minIntervalMs: -1 })).toThrow('chartPacer: minIntervalMs must be ≥ 0, not -1');
  });

  it("signs a series by every slot: a change in any minute's column changes it, equal columns sign equal", () => {
    const now = Date.parse('2026-03-01T10:07:30Z');
    const row = (offered: number) => ({ queue: 's', window_start: '2026-03-01T10:03:00Z', offered, answered: 1 });
    const a = seriesSignature(queueSeries([row(3)], now));
    expect(seriesSignature(queueSeries([row(3)], now))).toBe(a);
    expect(seriesSignature(queueSeries([row(4)], now))).not.toBe(a);
    expect(seriesSignature(queueSeries([row(3)], now + 60_000))).not.toBe(a); // the hour moved on a minute
  });
});
