// Types of energy-logic.js (a classic script shared by the browser and Jest; see the comment at its top).
import type { AlertEntry, LiveRow, Threshold } from './wallboard-logic';

export interface SiteSummary {
  site: string;
  label: string;
  meters: number;
  powerNowW: number;
  todayMwh: number;
  // biome-ignore lint/suspicious/noExplicitAny: site window rows as the channel holds them
  windows: Record<string, any>[];
}

export interface MeterFigure {
  meterId: string;
  name: string;
  site: string | null;
  todayMwh: number;
  powerNowW: number;
}

export interface SilentMeter {
  meterId: string;
  name: string;
  site: string | null;
  lastHeardAt: string | null;
}

export type MeterAlert = AlertEntry;

export interface EnergyOverview {
  sites: SiteSummary[];
  topMeters: MeterFigure[];
  silentMeters: SilentMeter[];
  alerts: MeterAlert[];
  silentAfterS: number;
}

export type WindowState = 'final' | 'provisional' | 'restated';

export function localDate(ms: number, timezone: string): string;
export function energyOverview(
  energyRows: readonly LiveRow[],
  alertRows: readonly LiveRow[],
  nowMs: number,
  thresholds: readonly Threshold[] | null,
): EnergyOverview;
export function meterAlerts(alertRows: readonly LiveRow[]): MeterAlert[];
// biome-ignore lint/suspicious/noExplicitAny: window rows as the channel holds them
export function windowState(w: Record<string, any>): WindowState;
// biome-ignore lint/suspicious/noExplicitAny: window rows as the channel holds them
export function meterWindows(rows: readonly LiveRow[]): (Record<string, any> & { state: WindowState })[];
export function formatEnergy(mwh: number): string;
export function formatPower(w: number): string;
export function formatClock(iso: string | null | undefined): string;
export function meterFromHash(hash: string): string | null;
