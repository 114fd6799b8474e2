import { randomBytes } from 'node:crypto';
import { type IngestEvent, MeterSeries, namespaced, parseEvent, parseStreamId, Topics } from '@switchboard/domain';
import { AutoOffsetReset, CommitMode, type StreamingClient } from '@switchboard/streams';

/**
 * Reads a tenant's events back from the input topics, from the beginning to their current end, with a
 * one-off consumer group that commits nothing and is deleted afterwards. Streams carry `<tenant>/<id>`, so
 * other tenants' messages are skipped; what cannot be read back into an event is counted, not guessed.
 */
export async function readTenantEvents(
  client: StreamingClient,
  tenant: string,
  namespace?: string,
  onProgress?: (read: number) => void,
): Promise<{ events: IngestEvent[]; unreadable: number }> {
  const events: IngestEvent[] = [];
  let unreadable = 0;
  const mine = (streamId: string) => {
    try {
      return parseStreamId(streamId).tenant === tenant;
    } catch {
      return false;
    }
  };
  const keep = (candidate: unknown) => {
    const parsed = parseEvent(candidate);
    if (parsed.ok) events.push(parsed.event);
    else unreadable++;
  };
  for (const base of [Topics.meters, Topics.calls, Topics.agents]) {
    const topic = namespaced(base, namespace);
    const ends = await client.endOffsets(topic);
    const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
    if (pending.size === 0) continue;
    const group = `switchboard-verify-${randomBytes(6).toString('hex')}`;
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: group,
      autoOffsetReset: AutoOffsetReset.Earliest,
      commit: { mode: CommitMode.Manual },
    });
    let read = 0;
    consumer.onStreamReceived((s) => {
      if (!mine(s.streamId)) return;
      s.timeseries.onDataReceived((data) => {
        for (const row of data.rows()) {
          read++;
          keep({
            type: 'meter.reading',
            meterId: parseStreamId(s.streamId).entityId,
            ts: row.timestamp,
            energyWh: row.numeric(MeterSeries.energyWh),
            ...(row.numeric(MeterSeries.powerW) === null ? {} : { powerW: row.numeric(MeterSeries.powerW) }),
          });
        }
      });
      s.events.onDataReceived((e) => {
        read++;
        try {
          keep({ ...JSON.parse(e.value), type: e.id, ts: e.timestamp });
        } catch {
          unreadable++;
        }
      });
    });
    const done = new Promise<void>((resolve) => {
      consumer.on('batch', ({ partition, lag }) => {
        onProgress?.(read);
        if (lag === 0) pending.delete(partition);
        if (pending.size === 0) resolve();
      });
    });
    await consumer.subscribe();
    await done;
    await consumer.close();
    await client.deleteConsumerGroup(group).catch(() => undefined);
  }
  return { events, unreadable };
}
