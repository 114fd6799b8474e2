import { type IngestEvent, parseEvent, toStreamRecord } from '@switchboard/domain';
import {
  DEFAULT_SIMULATION,
  type SimEvent,
  type SimulationOptions,
  simulate,
} from '../apps/cli/src/simulate/generator';
import type { StreamsEventPublisher } from '../apps/ingest/src/publishing/streams-event-publisher';
import { perSecond } from './harness';

/** Backlog: simulated minutes of a busy weekday morning, ~150k events for 45 (meters ~45 %, calls ~28 %, agents ~26 %). */
export const BACKLOG_MINUTES = Number(process.env.BENCH_AGGREGATOR_BACKLOG_MINUTES ?? 45);
/** Events per publish request: ~7 s of event time here, well inside the grace (see the chaos test's comment). */
export const REQUEST_EVENTS = 400;
const DAY = 86_400_000;

export const backlogSim = (start: number, seed = 7001): SimulationOptions => ({
  ...DEFAULT_SIMULATION,
  seed,
  start,
  durationMs: BACKLOG_MINUTES * 60_000,
  meters: 250,
  meterIntervalMs: 10_000,
  callsPerMinute: 400,
  agents: 1200,
  anomalies: { duplicate: 0.005, outOfOrder: 0.01, late: 0, reset: 0.001 },
});

/** Yesterday 09:00 UTC: a backlog inside ingest's 7-day window whose windows all lie in the past. */
export function backlogStart(now = Date.now()): number {
  return Math.floor((now - DAY) / DAY) * DAY + 9 * 3600_000;
}

export function parsedEvent(e: SimEvent): IngestEvent {
  const p = parseEvent(e);
  if (!p.ok) throw new Error(`simulator produced an invalid event: ${p.error}`);
  return p.event;
}

/** "meter 45%, call 28%, …" */
export function mixOf(events: SimEvent[]): string {
  const by = new Map<string, number>();
  for (const e of events) by.set(e.type.split('.')[0], (by.get(e.type.split('.')[0]) ?? 0) + 1);
  return [...by].map(([k, n]) => `${k} ${Math.round((n / events.length) * 100)}%`).join(', ');
}

/**
 * The backlog simulation for `tenant`, published as ingest publishes it (its StreamsEventPublisher, REQUEST_EVENTS
 * events a request). Returns the events and how long publishing took.
 */
export async function publishBacklog(
  publisher: StreamsEventPublisher,
  tenant: string,
  start = backlogStart(),
  seed?: number,
): Promise<{ events: SimEvent[]; seconds: number; summary: string }> {
  return publishEvents(
    publisher,
    tenant,
    [...simulate(backlogSim(start, seed))].map((e) => e.event),
  );
}

/** `events` for `tenant`, published as ingest publishes them (REQUEST_EVENTS a request), in their order. */
export async function publishEvents(
  publisher: StreamsEventPublisher,
  tenant: string,
  events: SimEvent[],
): Promise<{ events: SimEvent[]; seconds: number; summary: string }> {
  const records = events.map((e) => toStreamRecord(tenant, parsedEvent(e)));
  const t = performance.now();
  for (let i = 0; i < records.length; i += REQUEST_EVENTS)
    await publisher.publish(records.slice(i, i + REQUEST_EVENTS));
  const seconds = (performance.now() - t) / 1000;
  const summary = `backlog ${events.length.toLocaleString()} events (${mixOf(events)}) published in ${seconds.toFixed(1)} s (${perSecond(events.length, seconds * 1000)} events/s)`;
  return { events, seconds, summary };
}
