import { parseStreamId } from '@switchboard/domain';
import type { LateRecord } from '@switchboard/streams';
import type { Refusals } from '../../data-quality-dead-letter';
import type { DataQualityRow } from '../../data-quality-sql';
import { isoTime } from '../../metric-update-record';
import type { SlaFact } from './queue-sla-aggregator';

/** What a late fact's refusal needs of the queue stage (`QueueStageParts`). */
export interface LateFactContext {
  readonly opts: {
    readonly inputTopic: string;
    readonly graceMs: number;
    readonly onLate?: (key: string, timestamp: number) => void;
  };
  /** Offsets of the batch being processed, by `<source>:<sequence>`. */
  readonly offsets: ReadonlyMap<string, string>;
  readonly refusals: Refusals;
}

/**
 * A fact whose window is beyond the restatement horizon here (the call stage refuses those first, so this should not
 * happen): a `late_call_fact` row and a record on `<hop topic>.dlq`, never a change of a row.
 */
export function refuseLateFact(
  parts: LateFactContext,
  { record: r, streamTime, missedWindowStarts }: LateRecord<SlaFact>,
): void {
  const fact = r.value.fact;
  const row: DataQualityRow = {
    tenant: parseStreamId(r.key).tenant,
    kind: 'late_call_fact',
    entityType: 'call',
    entityId: fact.callId,
    eventTs: fact.ts,
    detail: {
      queue: fact.queue,
      fact: fact.kind,
      retract: r.retract === true,
      windowStarts: missedWindowStarts.map(isoTime),
      streamTime: isoTime(streamTime),
      graceMs: parts.opts.graceMs,
    },
  };
  const offset = parts.offsets.get(`${r.source}:${r.sequence}`) ?? '-1';
  const source = { topic: parts.opts.inputTopic, partition: r.partition, offset, streamId: r.key };
  const reason = `${fact.kind} fact of call ${fact.callId} reached queue ${fact.queue} after its window's restatement horizon (stream time ${isoTime(streamTime)})`;
  parts.refusals.refuse(source, row, 'late', reason);
  parts.opts.onLate?.(r.key, r.timestamp);
}
