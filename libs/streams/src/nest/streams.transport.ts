import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { StreamingClient, type StreamingClientOptions } from '../client';
import type { EventData } from '../core/model/event-data';
import type { StreamEndType } from '../core/model/stream-end-type';
import type { StreamPropertiesData } from '../core/model/stream-properties';
import type { TimeseriesData } from '../core/model/timeseries-data';
import type { TopicConsumerOptions } from '../streams/consumer-options';
import type { OpenStreamStats } from '../streams/open-streams';
import type { StreamConsumer } from '../streams/stream-consumer';
import type { TopicConsumer } from '../streams/topic-consumer';

/** What an `@EventPattern('<topic>')` handler receives: one message of one stream. */
export type StreamEvent =
  | { topic: string; partition: number; streamId: string; kind: 'timeseries'; data: TimeseriesData }
  | { topic: string; partition: number; streamId: string; kind: 'event'; event: EventData }
  | { topic: string; partition: number; streamId: string; kind: 'properties'; properties: StreamPropertiesData }
  | { topic: string; partition: number; streamId: string; kind: 'stream-end'; endType: StreamEndType };

export interface StreamsTransportOptions {
  client: StreamingClientOptions;
  consumer: Omit<TopicConsumerOptions, 'timeseries'>;
}

/**
 * A @nestjs/microservices transport over our consumer loop: each `@EventPattern(topic)` handler gets the
 * topic's stream messages in order per stream (batched fetches, commit after handlers finish, revocation),
 * instead of the stock Kafka transport's one-message-at-a-time loop.
 *
 *   app.connectMicroservice({ strategy: new StreamsTransport({ client, consumer: { consumerGroup: 'x' } }) })
 */
export class StreamsTransport extends Server implements CustomTransportStrategy {
  private client: StreamingClient | undefined;
  private readonly consumers: TopicConsumer[] = [];

  constructor(private readonly options: StreamsTransportOptions) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      this.client = new StreamingClient(this.options.client);
      for (const [pattern, handler] of this.messageHandlers) {
        const topic = this.normalizePattern(pattern);
        const consumer = await this.client.getTopicConsumer(topic, this.options.consumer);
        consumer.onStreamReceived((stream) => this.bind(stream, handler));
        await consumer.subscribe();
        this.consumers.push(consumer);
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  private bind(stream: StreamConsumer, handler: (data: unknown) => Promise<unknown>): void {
    const base = { topic: stream.topic, partition: stream.partition, streamId: stream.streamId };
    const call = async (event: StreamEvent) => {
      const result = await handler(event);
      // A handler's Observable or Promise completes before the next message of the stream is handled.
      if (result !== undefined) await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    };
    stream.timeseries.onDataReceived((data) => call({ ...base, kind: 'timeseries', data }));
    stream.events.onDataReceived((event) => call({ ...base, kind: 'event', event }));
    stream.properties.onChanged(() =>
      call({
        ...base,
        kind: 'properties',
        properties: {
          name: stream.properties.name,
          location: stream.properties.location,
          metadata: Object.fromEntries(stream.properties.metadata),
          parents: [...stream.properties.parents],
          timeOfRecording: stream.properties.timeOfRecording,
        },
      }),
    );
    stream.onStreamClosed((endType) => call({ ...base, kind: 'stream-end', endType }));
  }

  /** Open streams held and evicted, over the transport's consumers (for the app's /metrics). */
  streamStats(): OpenStreamStats {
    const total: OpenStreamStats = { open: 0, evicted: { idle: 0, limit: 0 } };
    for (const c of this.consumers) {
      const s = c.streamStats;
      total.open += s.open;
      total.evicted.idle += s.evicted.idle;
      total.evicted.limit += s.evicted.limit;
    }
    return total;
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.consumers.length = 0;
  }

  on(): never {
    throw new Error('StreamsTransport has no transport events; use the consumer instrumentation events instead');
  }

  unwrap<T>(): T {
    return this.client as T;
  }
}
