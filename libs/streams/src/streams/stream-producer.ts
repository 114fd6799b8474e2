import type { ZodType } from 'zod';
import { StreamsClosedError } from '../core/errors';
import { encode, type StreamMessage } from '../core/model/codec';
import type { EventData } from '../core/model/event-data';
import { StreamEndType } from '../core/model/stream-end-type';
import { emptyProperties, type StreamPropertiesData } from '../core/model/stream-properties';
import { EventsProducer } from './events-producer';
import type { PublishQueue } from './publish-queue';
import { TimeseriesProducer } from './timeseries-producer';

export interface StreamProducerOptions<T extends Record<string, number | string> = Record<string, number | string>> {
  /** Validates every timeseries row's values at publish; an invalid row throws naming the field. */
  timeseries?: ZodType<T>;
}

/** The mutable properties of a produced stream. Changes go out before the data that follows them. */
export class StreamPropertiesProducer {
  name: string | null = null;
  location: string | null = null;
  timeOfRecording: number | null = null;
  readonly metadata = new Map<string, string>();
  readonly parents: string[] = [];

  snapshot(): StreamPropertiesData {
    return {
      ...emptyProperties(),
      name: this.name,
      location: this.location,
      metadata: Object.fromEntries(this.metadata),
      parents: [...this.parents],
      timeOfRecording: this.timeOfRecording,
    };
  }
}

/**
 * One entity's stream on a topic (the stream id is the Kafka key). Data is buffered and coalesced;
 * flush() resolves when Kafka acknowledged everything this stream published so far.
 */
export class StreamProducer<T extends Record<string, number | string> = Record<string, number | string>> {
  readonly properties = new StreamPropertiesProducer();
  readonly timeseries: TimeseriesProducer<T>;
  readonly events: EventsProducer;
  private sentProperties = JSON.stringify(emptyProperties());
  private readonly outstanding = new Set<Promise<void>>();
  private failure: unknown;
  private closed = false;

  constructor(
    readonly topic: string,
    readonly streamId: string,
    private readonly queue: PublishQueue,
    opts: StreamProducerOptions<T> = {},
    private readonly onClosed: (streamId: string) => void = () => undefined,
  ) {
    this.timeseries = new TimeseriesProducer<T>(this, opts.timeseries);
    this.events = new EventsProducer(this);
  }

  /** @internal Buffers call this to put a packet on the wire, after any changed properties. */
  send(message: StreamMessage): void {
    if (this.closed)
      throw new StreamsClosedError(`stream "${this.streamId}" on "${this.topic}" is closed`, {
        context: { topic: this.topic, streamId: this.streamId },
      });
    this.sendPropertiesIfChanged();
    this.track(this.queue.enqueue(this.topic, [encode(this.streamId, message)]));
  }

  private sendPropertiesIfChanged(): void {
    const props = this.properties.snapshot();
    const json = JSON.stringify(props);
    if (json === this.sentProperties) return;
    this.sentProperties = json;
    this.track(this.queue.enqueue(this.topic, [encode(this.streamId, { kind: 'properties', properties: props })]));
  }

  private track(p: Promise<void>): void {
    this.outstanding.add(p);
    p.then(
      () => this.outstanding.delete(p),
      (err) => {
        this.outstanding.delete(p);
        this.failure ??= err;
      },
    );
  }

  /** Releases the buffers and resolves when Kafka acknowledged all of this stream's messages. */
  async flush(): Promise<void> {
    if (!this.closed) {
      this.timeseries.buffer.release();
      this.events.release();
      this.sendPropertiesIfChanged();
    }
    while (this.outstanding.size > 0) await Promise.allSettled([...this.outstanding]);
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  /** Flushes, then ends the stream: consumers see the end type and free the stream's state. */
  async close(endType: StreamEndType = StreamEndType.Closed): Promise<void> {
    if (this.closed) return;
    this.timeseries.buffer.release();
    this.events.release();
    this.send({ kind: 'stream-end', endType });
    this.closed = true;
    this.timeseries.buffer.dispose();
    this.onClosed(this.streamId);
    await this.flush();
  }

  /** @internal */
  publishEvents(events: EventData[]): void {
    this.send({ kind: 'event', events });
  }
}
