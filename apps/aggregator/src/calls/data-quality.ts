/**
 * Something wrong with the input that must be visible to operators but must not move a metric.
 * One item becomes one `data_quality_events` row.
 */
export interface DataQualityItem {
  readonly kind: DataQualityKind;
  readonly entityType: 'call' | 'agent' | 'meter';
  readonly entityId: string;
  /** Event time of the offending event, epoch ms. */
  readonly eventTs: number;
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export type DataQualityKind =
  /** An answer or end of a call whose `call.started` had not arrived when its windows sealed (a later start still counts). */
  | 'orphan_call_event'
  /** The same transition twice with different content (e.g. two answers with different ts): the earliest is kept. */
  | 'conflicting_transition'
  /** Timestamps of one call contradict each other (answer before start, end before answer); waits are clamped at 0. */
  | 'inconsistent_call_times'
  /** A started call without `call.ended` within the maximum call age (stream time): dropped from state, no fact. */
  | 'call_expired';
