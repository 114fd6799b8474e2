import { StreamsError } from '../core/errors';
import { INITIAL_SERVICE_STATUSES, SERVICE_STATUS_TRANSITIONS, type ServiceStatus } from './service-status';

/** `to` of a refused step: a status, or `removed` (the end of an instance, allowed only from `Deleting`). */
export type StatusStep = ServiceStatus | 'removed';

function allowedAfter(from: ServiceStatus | null): string {
  if (from === 'Deleting') return 'only removal';
  const next = from === null ? INITIAL_SERVICE_STATUSES : SERVICE_STATUS_TRANSITIONS[from];
  return next.length === 1 ? `only ${next[0]}` : `${next.slice(0, -1).join(', ')} or ${next.at(-1)}`;
}

/**
 * A status transition that PRODUCT.md's table does not allow: a bug in the caller, so not retriable. The
 * message is one sentence naming what may follow; `context` carries `from` (null: a new instance), `to` and
 * `instance` (`<service>/<instanceId>`).
 */
export class InvalidStatusTransitionError extends StreamsError {
  readonly from: ServiceStatus | null;
  readonly to: StatusStep;

  constructor(instance: string, from: ServiceStatus | null, to: StatusStep) {
    super(
      from === null
        ? `${instance} cannot start in ${to}: a new instance starts in ${allowedAfter(null).replace(/^only /, '')}.`
        : `${instance} cannot go from ${from} to ${to}: after ${from} comes ${allowedAfter(from)}.`,
      { retriable: false, context: { from, to, instance } },
    );
    this.from = from;
    this.to = to;
  }
}
