// Types of chart-logic.js (a classic script shared by the browser and Jest; see the comment at its top).

export interface EnergySeries {
  /** Window starts, epoch seconds. */
  x: number[];
  /** kWh of final windows (null elsewhere). */
  final: (number | null)[];
  /** kWh of windows not yet final. */
  provisional: (number | null)[];
  /** kWh of restated windows, drawn as markers. */
  restated: (number | null)[];
  /** kW: the window's peak power. */
  power: (number | null)[];
}

export interface QueueSeries {
  x: number[];
  offered: number[];
  answered: number[];
  abandoned: number[];
  /** Percent of the minute's handled calls; null when none. */
  serviceLevel: (number | null)[];
}

// biome-ignore lint/suspicious/noExplicitAny: rows as the channel holds them
type Row = Record<string, any>;

export const QUARTER_MS: number;
export function energySeries(windows: readonly Row[], nowMs: number, spanMs: number): EnergySeries;
export function queueSeries(windows: readonly Row[], nowMs: number, spanMs?: number): QueueSeries;
export function filled(values: readonly (number | null)[]): number;
export function seriesSignature(series: EnergySeries | QueueSeries): string;

export interface ChartPacer<K = string> {
  drawn(key: K, signature: string, nowMs: number): void;
  want(key: K, signature: string): void;
  take(nowMs: number): { keys: K[]; more: boolean };
  forget(key: K): void;
}
export function chartPacer<K = string>(options?: { minIntervalMs?: number; perRender?: number }): ChartPacer<K>;
