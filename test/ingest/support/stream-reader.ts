import { AutoOffsetReset, StreamingClient, type TopicConsumer } from '@switchboard/streams';
import { testEnv, uniqueName } from '../../support/env';

export type Seen =
  | { topic: string; streamId: string; kind: 'event'; timestamp: number; id: string; value: string }
  | {
      topic: string;
      streamId: string;
      kind: 'row';
      timestamp: number;
      numbers: Record<string, number | null>;
      tags: Record<string, string>;
    }
  | { topic: string; streamId: string; kind: 'properties'; name: string | null; metadata: Record<string, string> };

/**
 * Reads the ingest topics from the beginning in a fresh group and keeps what belongs to the tenants a
 * test cares about (every test uses its own random tenant, so shared topics do not matter).
 */
export class StreamReader {
  readonly seen: Seen[] = [];
  private readonly client = new StreamingClient({ brokers: testEnv.brokers, clientId: uniqueName('ingest-reader') });
  private readonly consumers: TopicConsumer[] = [];

  constructor(private readonly keep: (streamId: string) => boolean) {}

  async start(topics: string[]): Promise<void> {
    for (const topic of topics) {
      const consumer = await this.client.getTopicConsumer(topic, {
        consumerGroup: uniqueName('ingest-test'),
        autoOffsetReset: AutoOffsetReset.Earliest,
      });
      consumer.onStreamReceived((s) => {
        if (!this.keep(s.streamId)) return;
        s.events.onDataReceived((e) => {
          this.seen.push({
            topic,
            streamId: s.streamId,
            kind: 'event',
            timestamp: e.timestamp,
            id: e.id,
            value: e.value,
          });
        });
        s.timeseries.onDataReceived((data) => {
          for (const row of data.rows()) {
            this.seen.push({
              topic,
              streamId: s.streamId,
              kind: 'row',
              timestamp: row.timestamp,
              numbers: { energyWh: row.numeric('energyWh'), powerW: row.numeric('powerW') },
              tags: row.tag('eventId') === null ? {} : { eventId: row.tag('eventId') as string },
            });
          }
        });
        s.properties.onChanged(() => {
          this.seen.push({
            topic,
            streamId: s.streamId,
            kind: 'properties',
            name: s.properties.name,
            metadata: Object.fromEntries(s.properties.metadata),
          });
        });
      });
      await consumer.subscribe();
      this.consumers.push(consumer);
    }
  }

  async waitFor(count: number, timeoutMs = 30_000): Promise<Seen[]> {
    const until = Date.now() + timeoutMs;
    while (this.seen.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    return this.seen;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
