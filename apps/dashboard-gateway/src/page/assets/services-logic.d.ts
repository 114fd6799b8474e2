// Types of services-logic.js (a classic script shared by the browser and Jest; see the comment at its top).
import type { LiveRow } from './wallboard-logic';

export interface InstanceLine {
  key: string;
  service: string;
  instance: string;
  status: string;
  since: number;
  heartbeatAgeMs: number;
  unresponsive: boolean;
  detail: string;
  host: string;
}

export interface LagLine {
  id: string;
  group: string;
  topic: string;
  partition: number;
  next: number | null;
  end: number | null;
  lag: number | null;
  owner: string | null;
  updatedAt: string | null;
}

export function instances(rows: Iterable<LiveRow>, nowMs: number): InstanceLine[];
export function lagLines(rows: Iterable<LiveRow>): LagLine[];
export function lagLevel(lag: number | null | undefined): 'none' | 'some' | 'unknown';
export function formatAge(ms: number): string;
export function formatInstant(at: number | string | null | undefined): string;
export function formatCount(n: number | null | undefined): string;
