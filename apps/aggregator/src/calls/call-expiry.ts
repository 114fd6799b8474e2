import type { CallRecord, WaitingCallChange } from './call-tracker';
import type { DataQualityItem } from './data-quality';

/** A started call that has not ended this long after its start (stream time) is dropped; see README. */
export const DEFAULT_MAX_CALL_AGE_MS = 4 * 3_600_000;

export interface CallExpiry {
  /** The call leaves the waiting gauge (it was still waiting); null when it was talking. */
  readonly waiting: WaitingCallChange | null;
  /** One `call_expired` item. */
  readonly dataQuality: readonly DataQualityItem[];
}

/**
 * A started call that has not ended expires once stream time reaches `start + maxAgeMs`: the engine drops its
 * record, the waiting gauge forgets it, and no fact is produced for it (there was no end, so it is neither
 * abandoned nor talked); what it already contributed (offered, answered) stays. Later events of the call find no
 * record: they are orphans (or late) like any event without a start. Stream time, not the wall clock, decides,
 * so a replay expires the same calls. Returns undefined while the call may still end (or never started).
 */
export function expireCall(record: CallRecord, streamTime: number, maxAgeMs: number): CallExpiry | undefined {
  const { started, answered, ended } = record.state;
  if (!started || ended || streamTime < started.ts + maxAgeMs) return undefined;
  return {
    waiting: record.waiting ? { leave: record.waiting, enter: null } : null,
    dataQuality: [
      {
        kind: 'call_expired',
        entityType: 'call',
        entityId: record.state.callId,
        eventTs: started.ts,
        detail: {
          queue: started.queue,
          reason: 'no call.ended within the maximum call age',
          answerTs: answered?.ts ?? null,
          maxAgeMs,
          streamTime,
        },
      },
    ],
  };
}
