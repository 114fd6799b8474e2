import {
  handledCalls,
  InvalidMetricUpdateError,
  type MetricUpdate,
  parseUpdateRow,
  queueStatsSumsOf,
  type TypedMetricUpdate,
} from '@switchboard/domain';

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

export class InvalidAlertInputError extends Error {
  constructor(
    readonly updateId: string,
    reason: string,
  ) {
    super(`update ${updateId} has an unusable row: ${reason}`);
    this.name = 'InvalidAlertInputError';
  }
}

/** Checks the row against its kind's contract (libs/domain update-rows), naming the update on failure. */
function typed(u: MetricUpdate): TypedMetricUpdate {
  try {
    return parseUpdateRow(u);
  } catch (err) {
    throw new InvalidAlertInputError(u.id, err instanceof InvalidMetricUpdateError ? err.reason : String(err));
  }
}

/** The rule input an update carries, or undefined for kinds no rule reads. Throws InvalidAlertInputError. */
export function alertInputOf(update: MetricUpdate): AlertInput | undefined {
  const u = typed(update);
  switch (u.kind) {
    case 'queue_stats_1m': {
      const r = u.row;
      return {
        type: 'queue-window',
        tenant: u.tenant,
        queue: r.queue,
        windowStart: Date.parse(r.window_start),
        answeredInSla: r.answered_in_sla,
        handled: handledCalls(queueStatsSumsOf(r)),
        version: u.version,
      };
    }
    case 'queue_gauge': {
      const r = u.row;
      return {
        type: 'queue-gauge',
        tenant: u.tenant,
        queue: r.queue,
        longestWaitingSince: r.longest_waiting_since === null ? null : Date.parse(r.longest_waiting_since),
        version: u.version,
      };
    }
    case 'meter_energy_15m': {
      const r = u.row;
      return {
        type: 'meter-window',
        tenant: u.tenant,
        meterId: r.meter_id,
        windowStart: Date.parse(r.window_start),
        energyMwh: r.energy_mwh,
        isFinal: r.is_final,
        version: u.version,
      };
    }
    default:
      return undefined;
  }
}
