import { handledCalls, type MetricUpdate } from '@switchboard/domain';
import { z } from 'zod';

/** What the alert rules read from `metrics.updates`: a queue window, a queue's waiting gauge, a meter window. */
export type AlertInput =
  | {
      type: 'queue-window';
      tenant: string;
      queue: string;
      windowStart: number;
      answeredInSla: number;
      /** The service level's denominator: answered + abandoned − abandoned_short. */
      handled: number;
      version: number;
    }
  | { type: 'queue-gauge'; tenant: string; queue: string; longestWaitingSince: number | null; version: number }
  | {
      type: 'meter-window';
      tenant: string;
      meterId: string;
      windowStart: number;
      energyMwh: number;
      isFinal: boolean;
      version: number;
    };

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const time = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const id = z.string().min(1).max(64);

const queueWindow = z.object({
  queue: id,
  window_start: time,
  answered: count,
  abandoned: count,
  abandoned_short: count,
  answered_in_sla: count,
});
const queueGauge = z.object({ queue: id, longest_waiting_since: time.nullable() });
const meterWindow = z.object({ meter_id: id, window_start: time, energy_mwh: count, is_final: z.boolean() });

export class InvalidAlertInputError extends Error {
  constructor(
    readonly updateId: string,
    reason: string,
  ) {
    super(`update ${updateId} has an unusable row: ${reason}`);
    this.name = 'InvalidAlertInputError';
  }
}

/** The rule input an update carries, or undefined for kinds no rule reads. Throws InvalidAlertInputError. */
export function alertInputOf(u: MetricUpdate): AlertInput | undefined {
  const parse = <T>(schema: z.ZodType<T>): T => {
    const r = schema.safeParse(u.row);
    if (!r.success)
      throw new InvalidAlertInputError(u.id, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return r.data;
  };
  switch (u.kind) {
    case 'queue_stats_1m': {
      const r = parse(queueWindow);
      return {
        type: 'queue-window',
        tenant: u.tenant,
        queue: r.queue,
        windowStart: r.window_start,
        answeredInSla: r.answered_in_sla,
        handled: Math.max(
          0,
          handledCalls({ answered: r.answered, abandoned: r.abandoned, abandonedShort: r.abandoned_short }),
        ),
        version: u.version,
      };
    }
    case 'queue_gauge': {
      const r = parse(queueGauge);
      return {
        type: 'queue-gauge',
        tenant: u.tenant,
        queue: r.queue,
        longestWaitingSince: r.longest_waiting_since,
        version: u.version,
      };
    }
    case 'meter_energy_15m': {
      const r = parse(meterWindow);
      return {
        type: 'meter-window',
        tenant: u.tenant,
        meterId: r.meter_id,
        windowStart: r.window_start,
        energyMwh: r.energy_mwh,
        isFinal: r.is_final,
        version: u.version,
      };
    }
    default:
      return undefined;
  }
}
