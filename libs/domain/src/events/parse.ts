import type { z } from 'zod';
import { agentStatusSchema } from './agent-status';
import { callAnsweredSchema } from './call-answered';
import { callEndedSchema } from './call-ended';
import { callStartedSchema } from './call-started';
import { meterReadingSchema } from './meter-reading';

/** One schema per event type, keyed by `type`. Consumers validate with the same schemas. */
export const eventSchemas = {
  'call.started': callStartedSchema,
  'call.answered': callAnsweredSchema,
  'call.ended': callEndedSchema,
  'agent.status': agentStatusSchema,
  'meter.reading': meterReadingSchema,
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

/** A validated event: `ts` is epoch ms, unknown fields are gone, `energyWh` is rounded to the mWh. */
export type IngestEvent = { [K in EventType]: z.output<(typeof eventSchemas)[K]> }[EventType];

/** Which timestamps ingest accepts, relative to its clock. Consumers replaying history pass none. */
export interface TimeWindow {
  now: number;
  maxPastMs: number;
  maxFutureMs: number;
}

export const DEFAULT_MAX_PAST_MS = 7 * 24 * 3600_000;
export const DEFAULT_MAX_FUTURE_MS = 5 * 60_000;

/**
 * How long (ms of stream time, after a window's grace) the aggregator keeps a final window able to take a late
 * event: everything ingest accepted must still find its window ("accepted means counted", PRODUCT.md).
 *
 * An event accepted at wall time I has ts ≥ I − maxPast. Records of a partition are processed in the order they
 * were appended, so the stream time S when it is processed is the highest ts of records appended before it, each
 * ≤ its own acceptance time + maxFuture ≤ I + maxFuture — whatever the processing delay (an outage, a replay a month
 * later). So ts ≥ S − maxPast − maxFuture: a window must stay restatable for maxPast + maxFuture after it closes.
 * The grace is added once more as a margin for the live idle clock, which may run up to one idle period ahead.
 */
export function restatementHorizonMs(accepted: { maxPastMs: number; maxFutureMs: number }, graceMs: number): number {
  return accepted.maxPastMs + accepted.maxFutureMs + graceMs;
}

export type ParseResult = { ok: true; event: IngestEvent } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEventType(t: unknown): t is EventType {
  return typeof t === 'string' && Object.hasOwn(eventSchemas, t);
}

function describeIssues(input: Record<string, unknown>, issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path.map(String).join('.');
      // zod reports a missing field as a type error; the integrator is better served by "is required".
      const missing = i.path.length === 1 && input[String(i.path[0])] === undefined;
      return `${path || 'event'} ${missing ? 'is required' : i.message}`;
    })
    .join('; ');
}

/**
 * Validates one event. Never throws: the error is a sentence naming the field, meant for the
 * integrator (it goes into the 202 body's `rejected` list).
 */
export function parseEvent(input: unknown, window?: TimeWindow): ParseResult {
  if (!isRecord(input)) return { ok: false, error: 'event must be a JSON object' };
  const type = input.type;
  if (type === undefined) return { ok: false, error: `type is required (one of ${EVENT_TYPES.join(', ')})` };
  if (!isEventType(type)) {
    const shown = typeof type === 'string' ? `"${type.slice(0, 64)}"` : typeof type;
    return { ok: false, error: `unknown type ${shown}; expected one of ${EVENT_TYPES.join(', ')}` };
  }
  const parsed = eventSchemas[type].safeParse(input);
  if (!parsed.success) return { ok: false, error: describeIssues(input, parsed.error.issues) };
  const event = parsed.data as IngestEvent;
  if (window) {
    if (event.ts < window.now - window.maxPastMs) {
      return {
        ok: false,
        error: `ts is more than ${formatSpan(window.maxPastMs)} in the past: beyond the horizon within which events are counted (late events restate their windows up to it)`,
      };
    }
    if (event.ts > window.now + window.maxFutureMs) {
      return { ok: false, error: `ts is more than ${formatSpan(window.maxFutureMs)} in the future` };
    }
  }
  return { ok: true, event };
}

function formatSpan(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day(s)`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour(s)`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute(s)`;
  return `${ms} ms`;
}
