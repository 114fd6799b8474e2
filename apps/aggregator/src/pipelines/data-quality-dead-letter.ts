import { type DeadLetterSource, deadLetterRecord, type OutboxRecord } from '@switchboard/streams';
import type { DataQualityRow } from './data-quality-sql';

/** `late`: beyond grace (calls) or beyond the restatement horizon (energy); `invalid`: an impossible or unusable input. */
export type RefusalType = 'late' | 'invalid';

/** Where a refused item was read: the input message (topic, partition, offset) and its stream id. */
export interface RefusedSource extends DeadLetterSource {
  streamId: string;
}

/**
 * The dead-letter record of one refused data-quality item, on its input topic's `<topic>.dlq` (where undecodable
 * messages go too: one place for operators). The value is the offending item, not the whole message: a message
 * may hold many rows and only one of them may be refused. Written through the checkpoint outbox with the
 * `data_quality_events` row, so both exist exactly once.
 *
 * Value (JSON): `{ tenant, kind, entityType, entityId, ts, detail }` — ts is the item's event time (epoch ms, null
 * when it is itself impossible); detail holds the refused values. Key: the source stream id.
 */
export function dataQualityDeadLetter(
  source: RefusedSource,
  row: DataQualityRow,
  type: RefusalType,
  reason: string,
): OutboxRecord {
  const { streamId, ...from } = source;
  const value = {
    tenant: row.tenant,
    kind: row.kind,
    entityType: row.entityType,
    entityId: row.entityId,
    ts: row.eventTs,
    detail: row.detail,
  };
  return deadLetterRecord({
    source: from,
    key: streamId,
    value: Buffer.from(JSON.stringify(value)),
    error: `${row.kind}: ${reason}`,
    errorType: type,
  });
}

/** A topology's refused items: each becomes a `data_quality_events` row (a result) and a dead-letter record. */
export class Refusals {
  private readonly outbox: OutboxRecord[] = [];
  /** Refusals since the topology started (late_events, invalid inputs): for metrics and tests. */
  readonly counts: Record<RefusalType, number> = { late: 0, invalid: 0 };

  /** `record` adds the row to the topology's results (written in the same checkpoint as the outbox). */
  constructor(private readonly record: (row: DataQualityRow) => void) {}

  refuse(source: RefusedSource, row: DataQualityRow, type: RefusalType, reason: string): void {
    this.record(row);
    this.outbox.push(dataQualityDeadLetter(source, row, type, reason));
    this.counts[type]++;
  }

  /** The dead-letter records since the last drain. */
  drain(): OutboxRecord[] {
    return this.outbox.splice(0);
  }
}
