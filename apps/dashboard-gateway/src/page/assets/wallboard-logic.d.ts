// Types of wallboard-logic.js (a classic script shared by the browser and Jest; see the comment at its top).

/** A live row as the gateway sends it: the update envelope, `row: null` = removed. */
export interface LiveRow {
  id: string;
  kind: string;
  version: number;
  // biome-ignore lint/suspicious/noExplicitAny: the row as the table holds it
  row: Record<string, any> | null;
}

export interface QueueSummary {
  queue: string;
  waiting: number;
  longestWaitingSince: string | null;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
  asaMs: number | null;
  abandonRate: number | null;
  averageCallDurationMs: number | null;
}

export interface AlertEntry extends FiringAlert {
  entityType: string;
  entityId: string;
  firing: boolean;
  resolvedAt: string | null;
}

export interface Threshold {
  rule: string;
  threshold: number;
  enabled: boolean;
}

export interface TileLevel {
  level: 'ok' | 'amber' | 'red';
  reasons: string[];
}

export interface FiringAlert {
  id: string;
  severity: string;
  rule: string;
  entity: string;
  message: string;
  firedAt: string;
}

export const WINDOW_MINUTES: number;
export function applySnapshot(prev: Map<string, LiveRow>, rows: readonly LiveRow[]): Map<string, LiveRow>;
export function applyDelta(state: Map<string, LiveRow>, rows: readonly LiveRow[]): boolean;
export function queueSummaries(rows: Iterable<LiveRow>, nowMs: number): QueueSummary[];
export function agentCounts(rows: Iterable<LiveRow>): [string, number][] | null;
export function firingAlerts(rows: readonly LiveRow[]): FiringAlert[];
export function alertFeed(rows: readonly LiveRow[]): AlertEntry[];
export function tileLevel(summary: QueueSummary, thresholds: readonly Threshold[] | null, nowMs: number): TileLevel;
// biome-ignore lint/suspicious/noExplicitAny: rows as the table holds them
export function queueWindows(rows: readonly LiveRow[], queue: string): Record<string, any>[];
export function formatWait(sinceIso: string | null | undefined, nowMs: number): string;
export function formatPercent(fraction: number | null): string;
export function formatSeconds(ms: number | null): string;
export function tokenFromHash(hash: string): string | null;
