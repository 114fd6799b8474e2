import { z } from 'zod';
import { ID_PATTERN } from './events';
import { PropertyKeys } from './topics';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' });

/** Body of PUT /v1/meters/{meterId}. A PUT replaces the meter's properties: absent fields are cleared. */
export const meterPropertiesSchema = z.object({
  name: name.optional(),
  site: z
    .string({ error: 'must be a string' })
    .regex(ID_PATTERN, { error: 'must be 1–64 characters of A-Z a-z 0-9 . _ : -' })
    .optional(),
  timezone: z
    .string({ error: 'must be a string' })
    .refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/London' })
    .optional(),
});
export type MeterPropertiesInput = z.output<typeof meterPropertiesSchema>;

/** Body of PUT /v1/queues/{queue}. `slaSeconds` is the answer-time target (default 20 when unset). */
export const queuePropertiesSchema = z.object({
  name: name.optional(),
  slaSeconds: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be ≥ 1' })
    .max(3600, { error: 'must be ≤ 3600' })
    .optional(),
});
export type QueuePropertiesInput = z.output<typeof queuePropertiesSchema>;

export const DEFAULT_SLA_SECONDS = 20;

/** Stream metadata of a meter stream (properties travel inside the entity's stream). */
export function meterMetadata(p: MeterPropertiesInput): Record<string, string> {
  const m: Record<string, string> = { [PropertyKeys.kind]: 'meter' };
  if (p.site !== undefined) m[PropertyKeys.site] = p.site;
  if (p.timezone !== undefined) m[PropertyKeys.timezone] = p.timezone;
  return m;
}

/** Stream metadata of a queue stream in events.calls. */
export function queueMetadata(p: QueuePropertiesInput): Record<string, string> {
  const m: Record<string, string> = { [PropertyKeys.kind]: 'queue' };
  if (p.slaSeconds !== undefined) m[PropertyKeys.slaSeconds] = String(p.slaSeconds);
  return m;
}

/** The SLA a consumer should use for a queue, from its stream metadata. */
export function slaSecondsOf(metadata: ReadonlyMap<string, string> | Record<string, string>): number {
  const raw =
    metadata instanceof Map
      ? metadata.get(PropertyKeys.slaSeconds)
      : (metadata as Record<string, string>)[PropertyKeys.slaSeconds];
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n > 0 ? n : DEFAULT_SLA_SECONDS;
}
