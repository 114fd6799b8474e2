import { meterPropertiesSchema, PropertyKeys, parseStreamId } from '@switchboard/domain';
import type { StreamPropertiesData } from '@switchboard/streams';
import type { Refusals, RefusedSource } from '../data-quality-dead-letter';
import type { MeterPropertiesRow } from './sql';

/**
 * A properties message → the meter's `meters` row. Keeps what is valid, clears what is not, and says so (a
 * data-quality row and a dead letter): one bad field must not lose the others.
 */
export function meterProperties(
  source: RefusedSource,
  p: StreamPropertiesData,
  refusals: Refusals,
): MeterPropertiesRow {
  const { tenant, entityId: meterId } = parseStreamId(source.streamId);
  const input = {
    name: p.name ?? undefined,
    site: p.metadata[PropertyKeys.site],
    timezone: p.metadata[PropertyKeys.timezone],
  };
  const parsed = meterPropertiesSchema.safeParse(input);
  if (parsed.success) {
    const v = parsed.data;
    return { tenant, meterId, name: v.name ?? null, site: v.site ?? null, timezone: v.timezone ?? null };
  }
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  const field = (name: 'name' | 'site' | 'timezone') => {
    const one = meterPropertiesSchema.shape[name].safeParse(input[name]);
    return !bad.has(name) && one.success ? (one.data ?? null) : null;
  };
  const errors = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  refusals.refuse(
    source,
    {
      tenant,
      kind: 'invalid_meter_properties',
      entityType: 'meter',
      entityId: meterId,
      eventTs: null,
      detail: { errors },
    },
    'invalid',
    `invalid fields stored as NULL: ${errors.join('; ')}`,
  );
  return { tenant, meterId, name: field('name'), site: field('site'), timezone: field('timezone') };
}
