// The pages' charts: uPlot (the pinned npm package, served by the gateway itself at /wallboard/uPlot.*), created once
// per container and fed new columns with setData — no hand-drawn canvas. The columns come from chart-logic.js
// (pure, unit-tested); this file only maps them onto uPlot's options and keeps each chart as wide as its box.
const uPlot = globalThis.uPlot;

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

const axis = (extra = {}) => ({
  stroke: css('--muted'),
  grid: { stroke: css('--line'), width: 1 },
  ticks: { stroke: css('--line'), width: 1 },
  font: '12px system-ui, sans-serif',
  ...extra,
});

/** A chart in `box` that follows its width; `update(columns)` redraws with new data. */
function mount(box, opts, columns) {
  const width = () => Math.max(200, Math.floor(box.clientWidth));
  const chart = new uPlot({ ...opts, width: width(), height: opts.height }, columns, box);
  new ResizeObserver(() => {
    if (chart.width !== width()) chart.setSize({ width: width(), height: opts.height });
  }).observe(box);
  return { update: (next) => chart.setData(next), chart };
}

/**
 * 15-minute energy (kWh): final windows solid, provisional ones pale and outlined, restated ones with a marker on
 * top; optionally the peak power (kW, right axis). `series` is ChartLogic.energySeries' result.
 */
export function energyChart(box, series, { height = 180, power = false } = {}) {
  const bars = uPlot.paths.bars({ size: [0.85, 40] });
  const columns = (s) =>
    power ? [s.x, s.final, s.provisional, s.restated, s.power] : [s.x, s.final, s.provisional, s.restated];
  const opts = {
    height,
    legend: { show: power },
    cursor: { points: { show: false } },
    scales: { x: { time: true }, kwh: { range: (_u, _min, max) => [0, Math.max(0.001, max) * 1.15] }, kw: {} },
    axes: [
      axis(),
      axis({ scale: 'kwh', label: 'kWh', size: 56 }),
      ...(power ? [axis({ scale: 'kw', side: 1, label: 'kW', grid: { show: false } })] : []),
    ],
    series: [
      {},
      { label: 'final', scale: 'kwh', paths: bars, fill: css('--ok'), stroke: css('--ok'), points: { show: false } },
      {
        label: 'provisional',
        scale: 'kwh',
        paths: bars,
        fill: 'rgba(227, 179, 65, 0.25)',
        stroke: css('--warn'),
        width: 1,
        dash: [4, 3],
        points: { show: false },
      },
      {
        label: 'restated',
        scale: 'kwh',
        paths: () => null,
        points: { show: true, size: 9, width: 2, stroke: css('--crit'), fill: css('--bg') },
      },
      ...(power ? [{ label: 'peak kW', scale: 'kw', stroke: css('--fg'), width: 1.5, points: { show: false } }] : []),
    ],
  };
  const mounted = mount(box, opts, columns(series));
  return { update: (s) => mounted.update(columns(s)) };
}

/** A queue's hour per minute: offered, answered, abandoned (calls) and the service level (%, right axis). */
export function queueChart(box, series, { height = 120 } = {}) {
  const columns = (s) => [s.x, s.offered, s.answered, s.abandoned, s.serviceLevel];
  const step = uPlot.paths.stepped({ align: 1 });
  const opts = {
    height,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: true }, calls: { range: (_u, _min, max) => [0, Math.max(2, max)] }, pct: { range: [0, 100] } },
    axes: [
      axis({ size: 28, space: 60 }),
      axis({ scale: 'calls', size: 34 }),
      axis({ scale: 'pct', side: 1, size: 50, grid: { show: false }, values: (_u, v) => v.map((x) => `${x}%`) }),
    ],
    series: [
      {},
      { label: 'offered', scale: 'calls', stroke: css('--fg'), width: 1.5, paths: step, points: { show: false } },
      { label: 'answered', scale: 'calls', stroke: css('--ok'), width: 1.5, paths: step, points: { show: false } },
      { label: 'abandoned', scale: 'calls', stroke: css('--crit'), width: 1.5, paths: step, points: { show: false } },
      {
        label: 'service level',
        scale: 'pct',
        stroke: css('--warn'),
        width: 2,
        dash: [5, 3],
        spanGaps: false,
        points: { show: false },
      },
    ],
  };
  const mounted = mount(box, opts, columns(series));
  return { update: (s) => mounted.update(columns(s)) };
}
