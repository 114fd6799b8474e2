import { randomBytes } from 'node:crypto';
import type { BenchRow } from '../harness';

/** One measured run of one peer: records (rows) over the measured interval, and what it cost. */
export interface Sample {
  rows: number;
  ms: number;
  cpuMicros: number;
  /** Busy jiffies (1/100 s of one core) of the whole machine over the same interval. */
  machineJiffies: number;
  peakRssMiB: number;
  note?: string;
}

export type Log = (line: string) => void;

export const SMOKE = process.env.BENCH_SMOKE === '1';
/** A size from the environment, else its full or smoke default. */
export const sized = (name: string, full: number, smoke: number) => Number(process.env[name] ?? (SMOKE ? smoke : full));
/** Runs of each peer of a job (median and range printed). */
export const RUNS = sized('BENCH_PEERS_RUNS', 3, 1);

/** A short unique suffix for topics, groups and tables of one run. */
export const uid = () => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const rate = (s: Sample) => (s.rows / s.ms) * 1000;

/** A peer's row: median and range of its runs, CPU per million records, peak RSS, ratio to the reference's median. */
export function summarize(job: string, peer: string, what: string, samples: Sample[], reference?: Sample[]): BenchRow {
  const rates = samples.map(rate);
  const perMillion = (f: (s: Sample) => number) => Number(median(samples.map((s) => (f(s) / s.rows) * 1e6)).toFixed(2));
  const ref = reference ? median(reference.map(rate)) : median(rates);
  const notes = [...new Set(samples.map((s) => s.note).filter(Boolean))];
  return {
    job,
    peer,
    what,
    runs: samples.length,
    'records/s': Math.round(median(rates)),
    'range records/s': `${Math.round(Math.min(...rates)).toLocaleString('en')}–${Math.round(Math.max(...rates)).toLocaleString('en')}`,
    'cpu s / 1M (process)': perMillion((s) => s.cpuMicros / 1e6),
    'cpu s / 1M (machine)': perMillion((s) => s.machineJiffies / 100),
    'peak rss MiB': Math.round(median(samples.map((s) => s.peakRssMiB))),
    'vs reference': `${(median(rates) / ref).toFixed(2)}×`,
    notes: notes.join('; '),
  };
}

const PEER_COLUMNS = [
  'peer',
  'what',
  'records/s',
  'range records/s',
  'cpu s / 1M (process)',
  'cpu s / 1M (machine)',
  'peak rss MiB',
  'vs reference',
  'notes',
];

/** Rows as a Markdown table (the README's tables are pasted from it); `columns` default: a peers row's. */
export function markdownTable(rows: BenchRow[], columns: string[] = PEER_COLUMNS): string[] {
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? v.toLocaleString('en') : (v ?? ''));
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ];
}

/** Same windows, same sums: "equal (n windows)" or what differs. */
export function compareSums<V>(ours: Map<string, V>, theirs: Map<string, V>): string {
  let missing = 0;
  let differ = 0;
  for (const [k, v] of ours) {
    const t = theirs.get(k);
    if (t === undefined) missing++;
    else if (t !== v) differ++;
  }
  const extra = [...theirs.keys()].filter((k) => !ours.has(k)).length;
  return missing + differ + extra === 0
    ? `equal (${ours.size.toLocaleString('en')} windows)`
    : `DIFFER: ${missing} of our windows missing, ${extra} extra, ${differ} with another sum`;
}
