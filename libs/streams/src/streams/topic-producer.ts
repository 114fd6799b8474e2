import { randomUUID } from 'node:crypto';
import type { PublishQueue } from './publish-queue';
import { StreamProducer, type StreamProducerOptions } from './stream-producer';

/** Produces the streams of one topic. Streams are cached by id until they are closed. */
export class TopicProducer {
  private readonly streams = new Map<string, StreamProducer<Record<string, number | string>>>();

  constructor(
    readonly topic: string,
    private readonly queue: PublishQueue,
  ) {}

  /** Creates a stream with a new random id. */
  createStream<T extends Record<string, number | string>>(
    streamId: string = randomUUID(),
    opts?: StreamProducerOptions<T>,
  ): StreamProducer<T> {
    return this.getOrCreateStream(streamId, opts);
  }

  getOrCreateStream<T extends Record<string, number | string> = Record<string, number | string>>(
    streamId: string,
    opts?: StreamProducerOptions<T>,
  ): StreamProducer<T> {
    let stream = this.streams.get(streamId);
    if (!stream) {
      const created = new StreamProducer<T>(this.topic, streamId, this.queue, opts, (id) => this.streams.delete(id));
      stream = created as unknown as StreamProducer<Record<string, number | string>>;
      this.streams.set(streamId, stream);
    }
    return stream as unknown as StreamProducer<T>;
  }

  getStream(streamId: string): StreamProducer | undefined {
    return this.streams.get(streamId);
  }

  /** Flushes every open stream of this topic; resolves when Kafka acknowledged all of it. */
  async flush(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => s.flush()));
  }

  /** Flushes; the streams stay open on the topic (close them to end them for consumers). */
  async close(): Promise<void> {
    await this.flush();
    this.streams.clear();
  }
}
