import { Logger } from '@nestjs/common';
import {
  meterMetadata,
  namespaced,
  queueMetadata,
  type StreamRecord,
  streamId,
  type TopicName,
  Topics,
} from '@switchboard/domain';
import { type KafkaClientSettings, streamingClientOptions } from '@switchboard/service';
import {
  StreamingClient,
  type StreamingClientOptions,
  type StreamsLogger,
  type TopicProducer,
} from '@switchboard/streams';
import { brokerReachable } from './broker-probe';
import {
  type EventPublisher,
  type MeterProperties,
  PublisherUnavailableError,
  type QueueProperties,
  withinBound,
} from './event-publisher';

const FAILURE_MEMORY_MS = 10_000;

export interface StreamsPublisherOptions {
  /** A publish not acknowledged within this bound is answered 503. */
  timeoutMs: number;
  /** Records handed to Kafka but not yet acknowledged, across requests; beyond it requests fail fast. */
  maxPendingRecords?: number;
  /** Topics are `<namespace>.<topic>` when set (see `namespaced`). */
  topicNamespace?: string;
}

/** Where the publisher's client connects: the service's brokers and client id. */
export interface PublisherClientSettings {
  brokers: string[];
  clientId: string;
  /** TLS, SASL, the client id prefix and the topic policy (the app's KafkaConnection; default plaintext). */
  kafka?: Omit<KafkaClientSettings, 'brokers'>;
  /** The publisher's bound (`timeoutMs`): the client gives up on an acknowledgement after as long. */
  timeoutMs: number;
}

function streamsLogger(log: Logger): StreamsLogger {
  return {
    debug: (m, c) => log.debug({ ...c }, m),
    info: (m, c) => log.log({ ...c }, m),
    warn: (m, c) => log.warn({ ...c }, m),
    error: (m, c) => log.error({ ...c }, m),
  };
}

/**
 * EventPublisher on libs/streams, over the app's one StreamingClient (`StreamsModule` in the ingest module; it is
 * ingest's only Kafka user, so `close()` closes it — the module's own close then finds it closed). Each request gets
 * fresh TopicProducers and streams: the shared client's queue still packs concurrent requests into one produce
 * request per tick, a request's flush waits for exactly its own messages, and nothing per entity outlives the
 * request (call ids never repeat, so a long-lived stream cache would only grow). Streams are never closed here: an
 * entity's events arrive over many requests.
 */
export class StreamsEventPublisher implements EventPublisher {
  private readonly maxPending: number;
  private pending = 0;
  private lastFailure: { at: number; message: string } | undefined;

  constructor(
    private readonly client: StreamingClient,
    private readonly opts: StreamsPublisherOptions,
  ) {
    this.maxPending = opts.maxPendingRecords ?? 200_000;
  }

  publish(records: readonly StreamRecord[]): Promise<void> {
    return this.guarded(records.length, async () => {
      const producers = await this.producersFor(new Set(records.map((r) => r.topic)));
      for (const r of records) {
        const stream = producers.get(r.topic)?.getOrCreateStream(r.streamId);
        if (!stream) continue;
        if (r.kind === 'event') stream.events.addTimestamp(r.timestamp).addValue(r.eventId, r.value).publish();
        else stream.timeseries.buffer.addRow(r.timestamp, r.numbers, r.tags);
      }
      // Flushing releases every buffer in this same tick, so the whole request leaves in one produce request.
      await Promise.all([...producers.values()].map((p) => p.flush()));
    });
  }

  setMeterProperties(tenant: string, meterId: string, props: MeterProperties): Promise<void> {
    return this.setProperties(Topics.meters, streamId(tenant, meterId), props.name, meterMetadata(props));
  }

  setQueueProperties(tenant: string, queue: string, props: QueueProperties): Promise<void> {
    return this.setProperties(Topics.calls, streamId(tenant, queue), props.name, queueMetadata(props));
  }

  /** Kafka answers on a broker port, and the last publish did not fail for want of Kafka. */
  async checkReady(): Promise<void> {
    const { brokers } = this.client.options;
    if (!(await brokerReachable(brokers, 1000))) throw new Error(`no broker answers at ${brokers.join(',')}`);
    // A failure counts for a while only: an unready instance gets no traffic that could clear it.
    if (this.lastFailure && Date.now() - this.lastFailure.at < FAILURE_MEMORY_MS) {
      throw new Error(`last publish failed: ${this.lastFailure.message}`);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private setProperties(topic: TopicName, id: string, name: string | undefined, metadata: Record<string, string>) {
    return this.guarded(1, async () => {
      const producer = (await this.producersFor(new Set([topic]))).get(topic) as TopicProducer;
      // A fresh stream object starts from empty properties, so this message carries exactly the PUT's fields.
      const stream = producer.getOrCreateStream(id);
      stream.properties.name = name ?? null;
      for (const [k, v] of Object.entries(metadata)) stream.properties.metadata.set(k, v);
      await stream.flush();
    });
  }

  private async producersFor(topics: Set<TopicName>): Promise<Map<TopicName, TopicProducer>> {
    const entries = await Promise.all(
      [...topics].map(
        async (t) => [t, await this.client.getTopicProducer(namespaced(t, this.opts.topicNamespace))] as const,
      ),
    );
    return new Map(entries);
  }

  private async guarded(records: number, work: () => Promise<void>): Promise<void> {
    if (this.pending + records > this.maxPending) {
      throw new PublisherUnavailableError(`${this.pending} records are still waiting for Kafka's acknowledgement`, {
        records,
      });
    }
    this.pending += records;
    const done = work();
    // The count drops when Kafka settles the records, not when the caller stops waiting for them.
    done.then(
      () => {
        this.pending -= records;
        this.lastFailure = undefined;
      },
      (err) => {
        this.pending -= records;
        this.lastFailure = { at: Date.now(), message: (err as Error)?.message ?? String(err) };
      },
    );
    await withinBound(done, this.opts.timeoutMs, { records });
  }
}

/** The options of the publisher's StreamingClient (the ingest module's `StreamsModule`, or a standalone one). */
export function publisherClientOptions(s: PublisherClientSettings): StreamingClientOptions {
  return {
    ...streamingClientOptions({ clientIdPrefix: '', topics: 'create', ...s.kafka, brokers: s.brokers }, s.clientId),
    ackTimeoutMs: s.timeoutMs,
    logger: streamsLogger(new Logger('streams')),
  };
}

/** A publisher on a client of its own, for tools and tests outside Nest (the same options ingest runs with). */
export function standaloneStreamsPublisher(
  o: PublisherClientSettings & Omit<StreamsPublisherOptions, 'timeoutMs'>,
): StreamsEventPublisher {
  return new StreamsEventPublisher(new StreamingClient(publisherClientOptions(o)), o);
}
