import { StreamsValidationError } from '../core/errors';
import type { EventData } from '../core/model/event-data';
import type { StreamProducer } from './stream-producer';

/** Events added in one turn of the event loop leave together as one message at the end of that turn. */
export class EventsProducer {
  private pending: EventData[] = [];
  private immediate: NodeJS.Immediate | undefined;

  // biome-ignore lint/suspicious/noExplicitAny: any stream value type may carry events
  constructor(private readonly stream: StreamProducer<any>) {}

  /** Starts events at one timestamp: addValue(id, value) once per event, tags for all, then publish(). */
  addTimestamp(timestamp: number): EventDataBuilder {
    return new EventDataBuilder(this, timestamp);
  }

  publish(events: EventData | EventData[]): void {
    for (const e of Array.isArray(events) ? events : [events]) this.pending.push(e);
    this.immediate ??= setImmediate(() => this.release());
  }

  /** Sends what is pending now. */
  release(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.stream.publishEvents(events);
  }
}

export class EventDataBuilder {
  private readonly values: [string, string][] = [];
  private readonly tags: Record<string, string> = {};

  constructor(
    private readonly events: EventsProducer,
    private readonly timestamp: number,
  ) {
    if (!Number.isFinite(timestamp))
      throw new StreamsValidationError(`timestamp must be epoch milliseconds; got ${timestamp}`);
  }

  addValue(id: string, value: string): this {
    this.values.push([id, value]);
    return this;
  }

  addTag(name: string, value: string): this {
    this.tags[name] = value;
    return this;
  }

  publish(): void {
    this.events.publish(
      this.values.map(([id, value]) => ({ timestamp: this.timestamp, id, value, tags: { ...this.tags } })),
    );
  }
}
