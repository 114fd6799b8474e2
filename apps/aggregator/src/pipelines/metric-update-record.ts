import { METRIC_UPDATE_MODEL, type MetricUpdate, updateEntityKey } from '@switchboard/domain';
import { type OutboxRecord, PARTITION_KEY_HEADER } from '@switchboard/streams';

/**
 * One row change as an outbox record for `metrics.updates` or `alerts` (libs/domain/src/updates.ts): keyed by the
 * update id, partitioned by the row's entity, so every version of one row — and every row of one queue or
 * meter — lands in one partition, in order. Shared by every pipeline.
 */
export function metricUpdateRecord(topic: string, update: MetricUpdate): OutboxRecord {
  return {
    topic,
    key: update.id,
    headers: { 'sb-model': METRIC_UPDATE_MODEL, [PARTITION_KEY_HEADER]: updateEntityKey(update) },
    value: Buffer.from(JSON.stringify(update)),
  };
}

/** Epoch ms as the ISO text Postgres gives a timestamptz in JSON (the update's row mirrors the table). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
