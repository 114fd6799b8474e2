import type { ZodType } from 'zod';
import { StreamsConfigError, StreamsValidationError } from '../core/errors';
import { TimeseriesData } from '../core/model/timeseries-data';
import type { StreamProducer } from './stream-producer';

/**
 * Collects rows and releases them as one packet when the buffer spans `timeSpanInMilliseconds`, holds
 * `packetSize` rows, or `bufferTimeoutMs` passed since its first row. With none set, rows added in one
 * turn of the event loop leave together at the end of that turn.
 */
export class TimeseriesBuffer<T extends Record<string, number | string>> {
  private data = new TimeseriesData();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private _packetSize: number | undefined;
  private _timeSpan: number | undefined;
  private _timeout: number | undefined;

  constructor(
    private readonly stream: StreamProducer<T>,
    private readonly schema: ZodType<T> | undefined,
  ) {}

  get packetSize(): number | undefined {
    return this._packetSize;
  }
  set packetSize(v: number | undefined) {
    this._packetSize = positive('packetSize', v);
  }
  get timeSpanInMilliseconds(): number | undefined {
    return this._timeSpan;
  }
  set timeSpanInMilliseconds(v: number | undefined) {
    this._timeSpan = positive('timeSpanInMilliseconds', v);
  }
  get bufferTimeoutMs(): number | undefined {
    return this._timeout;
  }
  set bufferTimeoutMs(v: number | undefined) {
    this._timeout = positive('bufferTimeoutMs', v);
  }

  /** Starts a row; add values and tags, then publish() it into the buffer. */
  addTimestamp(timestamp: number): TimeseriesRowBuilder<T> {
    return new TimeseriesRowBuilder(this, timestamp);
  }

  /** Adds a typed row in one call. */
  addRow(timestamp: number, values: T, tags?: Record<string, string>): void {
    const b = this.addTimestamp(timestamp);
    for (const [k, v] of Object.entries(values)) b.addValue(k, v);
    if (tags) for (const [k, v] of Object.entries(tags)) b.addTag(k, v);
    b.publish();
  }

  /** Adds every row of a TimeseriesData. */
  publish(data: TimeseriesData): void {
    if (this.schema) for (const row of data.rows()) this.validate(row.timestamp, row.values());
    this.data.append(data);
    this.afterAdd();
  }

  /** @internal */
  commitRow(
    timestamp: number,
    numeric: Map<string, number>,
    strings: Map<string, string>,
    tags: Map<string, string>,
  ): void {
    if (this.schema) this.validate(timestamp, { ...Object.fromEntries(numeric), ...Object.fromEntries(strings) });
    const row = this.data.addRow(timestamp);
    for (const [k, v] of numeric) this.data.setNumeric(row, k, v);
    for (const [k, v] of strings) this.data.setString(row, k, v);
    for (const [k, v] of tags) this.data.setTag(row, k, v);
    this.afterAdd();
  }

  private validate(timestamp: number, values: Record<string, unknown>): void {
    const res = this.schema?.safeParse(values);
    if (res && !res.success) {
      const issue = res.error.issues[0];
      const field = issue.path.join('.') || '(row)';
      throw new StreamsValidationError(
        `row at ${timestamp} of stream "${this.stream.streamId}": ${field}: ${issue.message}`,
        {
          context: { streamId: this.stream.streamId, topic: this.stream.topic, field, timestamp },
        },
      );
    }
  }

  private afterAdd(): void {
    const d = this.data;
    const full = this._packetSize !== undefined && d.length >= this._packetSize;
    const spans = this._timeSpan !== undefined && d.timestamps[d.length - 1] - d.timestamps[0] >= this._timeSpan;
    if (full || spans) {
      this.release();
    } else if (this._timeout !== undefined) {
      this.timer ??= setTimeout(() => this.release(), this._timeout);
    } else if (this._packetSize === undefined && this._timeSpan === undefined) {
      this.immediate ??= setImmediate(() => this.release());
    }
  }

  /** Sends what is buffered now, as one packet. */
  release(): void {
    this.clearTimers();
    if (this.data.length === 0) return;
    const packet = this.data;
    this.data = new TimeseriesData();
    this.stream.send({ kind: 'timeseries', data: packet });
  }

  /** @internal */
  dispose(): void {
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

export class TimeseriesRowBuilder<T extends Record<string, number | string>> {
  private readonly numeric = new Map<string, number>();
  private readonly strings = new Map<string, string>();
  private readonly tags = new Map<string, string>();

  constructor(
    private readonly buffer: TimeseriesBuffer<T>,
    private readonly timestamp: number,
  ) {
    if (!Number.isFinite(timestamp))
      throw new StreamsValidationError(`timestamp must be epoch milliseconds; got ${timestamp}`);
  }

  addValue(name: string, value: number | string): this {
    if (typeof value === 'number') this.numeric.set(name, value);
    else this.strings.set(name, value);
    return this;
  }

  addTag(name: string, value: string): this {
    this.tags.set(name, value);
    return this;
  }

  publish(): void {
    this.buffer.commitRow(this.timestamp, this.numeric, this.strings, this.tags);
  }
}

export class TimeseriesProducer<T extends Record<string, number | string>> {
  readonly buffer: TimeseriesBuffer<T>;

  constructor(stream: StreamProducer<T>, schema: ZodType<T> | undefined) {
    this.buffer = new TimeseriesBuffer<T>(stream, schema);
  }

  /** Sends the data as one packet now, after whatever the buffer holds. */
  publish(data: TimeseriesData): void {
    this.buffer.release();
    this.buffer.publish(data);
    this.buffer.release();
  }
}

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return v;
  if (!Number.isFinite(v) || v <= 0)
    throw new StreamsConfigError(`${name} must be a positive number or undefined; got ${v}`);
  return v;
}
