import type { ZodType } from 'zod';
import { StreamsValidationError } from '../core/errors';
import type { StreamMessage } from '../core/model/codec';
import type { EventData } from '../core/model/event-data';
import type { StreamEndType } from '../core/model/stream-end-type';
import { emptyProperties, type StreamPropertiesData } from '../core/model/stream-properties';
import type { TimeseriesData } from '../core/model/timeseries-data';

type MaybePromise = void | Promise<void>;
/** Handlers may be sync or async; whatever a sync one returns is ignored. */
type Handler<A> = (arg: A) => unknown;

export interface TypedRow<T> {
  timestamp: number;
  values: T;
  tags: Record<string, string>;
}

/** The properties a consumer has seen last for a stream; onChanged fires when a new snapshot arrives. */
export class StreamPropertiesView {
  private data: StreamPropertiesData = emptyProperties();
  private readonly listeners: Handler<void>[] = [];

  get name(): string | null {
    return this.data.name;
  }
  get location(): string | null {
    return this.data.location;
  }
  get timeOfRecording(): number | null {
    return this.data.timeOfRecording;
  }
  get metadata(): ReadonlyMap<string, string> {
    return new Map(Object.entries(this.data.metadata));
  }
  get parents(): readonly string[] {
    return this.data.parents;
  }

  onChanged(listener: Handler<void>): void {
    this.listeners.push(listener);
  }

  /** @internal */
  apply(data: StreamPropertiesData): MaybePromise {
    this.data = data;
    return runAll(this.listeners, undefined);
  }
}

/** One stream as a consumer sees it: register handlers in onStreamReceived, before its data arrives. */
export class StreamConsumer<T = Record<string, number | string>> {
  readonly properties = new StreamPropertiesView();
  readonly timeseries: {
    onDataReceived(handler: Handler<TimeseriesData>): void;
    onRowsReceived(handler: Handler<TypedRow<T>[]>): void;
  };
  readonly events: { onDataReceived(handler: Handler<EventData>): void };
  private readonly dataHandlers: Handler<TimeseriesData>[] = [];
  private readonly rowHandlers: Handler<TypedRow<T>[]>[] = [];
  private readonly eventHandlers: Handler<EventData>[] = [];
  private readonly closedHandlers: Handler<StreamEndType>[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly streamId: string,
    private readonly schema?: ZodType<T>,
  ) {
    this.timeseries = {
      onDataReceived: (h) => void this.dataHandlers.push(h),
      onRowsReceived: (h) => void this.rowHandlers.push(h),
    };
    this.events = { onDataReceived: (h) => void this.eventHandlers.push(h) };
  }

  onStreamClosed(handler: Handler<StreamEndType>): void {
    this.closedHandlers.push(handler);
  }

  /** @internal Runs the handlers for one message, in registration order; returns a promise only if one is async. */
  dispatch(message: StreamMessage): MaybePromise {
    switch (message.kind) {
      case 'timeseries':
        return this.dispatchTimeseries(message.data);
      case 'event':
        return runEach(this.eventHandlers, message.events);
      case 'properties':
        return this.properties.apply(message.properties);
      case 'stream-end':
        return this.end(message.endType);
    }
  }

  /** @internal */
  end(endType: StreamEndType): MaybePromise {
    return runAll(this.closedHandlers, endType);
  }

  private dispatchTimeseries(data: TimeseriesData): MaybePromise {
    if (this.rowHandlers.length === 0 && !this.schema) return runAll(this.dataHandlers, data);
    const rows = this.typedRows(data);
    const first = runAll(this.dataHandlers, data);
    if (first) return first.then(() => runAll(this.rowHandlers, rows));
    return runAll(this.rowHandlers, rows);
  }

  private typedRows(data: TimeseriesData): TypedRow<T>[] {
    const rows: TypedRow<T>[] = [];
    for (const row of data.rows()) {
      const raw = row.values();
      let values = raw as unknown as T;
      if (this.schema) {
        const res = this.schema.safeParse(raw);
        if (!res.success) {
          const issue = res.error.issues[0];
          const field = issue.path.join('.') || '(row)';
          throw new StreamsValidationError(
            `row at ${row.timestamp} of stream "${this.streamId}": ${field}: ${issue.message}`,
            {
              context: { topic: this.topic, partition: this.partition, streamId: this.streamId, field },
            },
          );
        }
        values = res.data;
      }
      rows.push({ timestamp: row.timestamp, values, tags: row.tags() });
    }
    return rows;
  }
}

/** Calls each handler with the argument in order; awaits only handlers that return a promise. */
function runAll<A>(handlers: Handler<A>[], arg: A): MaybePromise {
  for (let i = 0; i < handlers.length; i++) {
    const r = handlers[i](arg);
    if (r && typeof (r as Promise<void>).then === 'function')
      return (r as Promise<void>).then(() => runAll(handlers.slice(i + 1), arg));
  }
}

function runEach<A>(handlers: Handler<A>[], args: A[]): MaybePromise {
  for (let j = 0; j < args.length; j++) {
    const r = runAll(handlers, args[j]);
    if (r) return r.then(() => runEach(handlers, args.slice(j + 1)));
  }
}
