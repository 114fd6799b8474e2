import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { StreamsConfigError } from '../core/errors';
import { consoleWarnLogger, type StreamsLogger } from '../core/logger';
import { MODEL_HEADER } from '../core/model/codec';
import type { MessageSender, OutgoingMessage, TopicAdmin, TopicSpec } from '../port';
import type { LifecycleChange, ServiceLifecycle } from './service-lifecycle';
import {
  DEFAULT_HEARTBEAT_MS,
  MAX_DETAIL_LENGTH,
  SERVICE_STATUS_MODEL,
  SERVICE_STATUS_TOPIC,
  type ServiceStatusRecord,
} from './service-status-record';

/** The topic config of `service.status`: compacted, so the log keeps the last record of each instance. */
export const SERVICE_STATUS_TOPIC_CONFIG: Readonly<Record<string, string>> = Object.freeze({
  'cleanup.policy': 'compact',
});

export interface ServiceStatusPublisherOptions {
  /** Default `service.status`; apps put their namespace in front (`<namespace>.service.status`). */
  topic?: string;
  /** Re-publishes the status this often (default 5000 ms), so viewers can tell a silent instance. */
  heartbeatMs?: number;
  /** The app's version, carried in every record. */
  version?: string;
  /** Default `os.hostname()` and `process.pid`. */
  host?: string;
  pid?: number;
  logger?: StreamsLogger;
  /** Epoch milliseconds; tests pass a fixed clock. */
  now?: () => number;
}

export interface ServiceStatusPublisherEvents {
  /** Kafka acknowledged a record: a transition, a heartbeat or the tombstone (`record` null). */
  published: { record: ServiceStatusRecord | null; heartbeat: boolean };
  /** A publish failed (every attempt; the logger hears only the first of an outage). Retried on the next heartbeat. */
  failure: { error: Error; status: string };
  /** The first publish that succeeded after a failure. */
  recovered: { downMs: number };
}

interface Pending {
  message: OutgoingMessage;
  record: ServiceStatusRecord | null;
  heartbeat: boolean;
}

/**
 * Publishes one instance's status to the compacted `service.status` topic: key `<service>/<instanceId>`, a JSON
 * `ServiceStatusRecord`, header `sb-model: service-status`. A record on every transition, in order, and again
 * every `heartbeatMs`; after `remove()` a tombstone (null value), and the heartbeat stops. Publishing never
 * throws into the service: a failure is logged once per outage, reported as a `failure` event, and the
 * current status goes out again on the next heartbeat (transitions during an outage are not replayed: the
 * compacted topic keeps only the last record of each key anyway). Created by
 * `StreamingClient.createServiceStatusPublisher`, which gives it the client's idempotent producer (acks=-1).
 */
export class ServiceStatusPublisher {
  readonly topic: string;
  readonly heartbeatMs: number;
  private readonly emitter = new EventEmitter();
  private readonly logger: StreamsLogger;
  private readonly now: () => number;
  private readonly host: string;
  private readonly pid: number;
  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private outageSince: number | undefined;
  private tombstoned = false;

  constructor(
    readonly lifecycle: ServiceLifecycle,
    private readonly sender: MessageSender,
    private readonly admin: TopicAdmin,
    private readonly spec: TopicSpec,
    private readonly opts: ServiceStatusPublisherOptions = {},
  ) {
    this.topic = opts.topic ?? SERVICE_STATUS_TOPIC;
    this.heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (!Number.isInteger(this.heartbeatMs) || this.heartbeatMs < 100)
      throw new StreamsConfigError(`heartbeatMs must be a whole number ≥ 100; got ${opts.heartbeatMs}`);
    this.logger = opts.logger ?? consoleWarnLogger;
    this.now = opts.now ?? Date.now;
    this.host = opts.host ?? hostname();
    this.pid = opts.pid ?? process.pid;
  }

  on<E extends keyof ServiceStatusPublisherEvents>(
    event: E,
    listener: (payload: ServiceStatusPublisherEvents[E]) => void,
  ): this {
    this.emitter.on(event, listener);
    return this;
  }

  /** Publishes the current status now, then on every change and every heartbeat. */
  start(): this {
    if (this.unsubscribe) return this;
    this.unsubscribe = this.lifecycle.onChange((change) => this.changed(change));
    this.enqueue(false);
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
    return this;
  }

  /** Resolves when what was published so far has been acknowledged or has failed; never rejects. */
  async flush(): Promise<void> {
    while (this.draining || this.pending.length > 0) {
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
      await this.draining;
    }
  }

  /** Stops the heartbeat and listening, then waits for what is in flight. Publishes nothing new. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.flush();
  }

  /** The record of the current status, as it would be published now. */
  currentRecord(): ServiceStatusRecord {
    const l = this.lifecycle;
    const detail = l.detail === undefined ? undefined : l.detail.slice(0, MAX_DETAIL_LENGTH);
    return {
      service: l.service,
      instanceId: l.instanceId,
      status: l.status,
      since: l.since,
      heartbeatAt: Math.max(this.now(), l.since),
      host: this.host,
      pid: this.pid,
      ...(this.opts.version === undefined ? {} : { version: this.opts.version }),
      ...(detail === undefined ? {} : { detail }),
    };
  }

  private changed(change: LifecycleChange): void {
    if (change.kind === 'removed') {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.enqueue(false);
  }

  private heartbeat(): void {
    // One record at a time is enough: a slow or failing publish is not stacked behind.
    if (this.draining || this.pending.length > 0) return;
    this.enqueue(true);
  }

  private enqueue(heartbeat: boolean): void {
    if (this.tombstoned) return;
    const record = this.lifecycle.removed ? null : this.currentRecord();
    this.pending.push({
      record,
      heartbeat,
      message: {
        key: this.lifecycle.instance,
        value: record === null ? null : Buffer.from(JSON.stringify(record)),
        headers: { [MODEL_HEADER]: SERVICE_STATUS_MODEL },
      },
    });
    void this.flush();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.admin.ensureTopic(this.topic, { ...this.spec, config: SERVICE_STATUS_TOPIC_CONFIG });
        await this.sender.send([{ topic: this.topic, messages: batch.map((p) => p.message) }]);
      } catch (err) {
        this.failed(err as Error);
        // Dropped: the next heartbeat publishes the status as it is then (a tombstone after removal).
        this.pending = [];
        if (this.lifecycle.removed && !this.timer && this.unsubscribe) this.retryTombstone();
        return;
      }
      this.succeeded(batch);
    }
  }

  private retryTombstone(): void {
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
  }

  private succeeded(batch: Pending[]): void {
    if (this.outageSince !== undefined) {
      const downMs = this.now() - this.outageSince;
      this.outageSince = undefined;
      this.logger.info(`service status of ${this.lifecycle.instance} published again after ${downMs} ms`, {
        topic: this.topic,
      });
      this.emitter.emit('recovered', { downMs });
    }
    for (const p of batch) {
      if (p.record === null) {
        this.tombstoned = true;
        clearInterval(this.timer);
        this.timer = undefined;
      }
      this.emitter.emit('published', { record: p.record, heartbeat: p.heartbeat });
    }
  }

  private failed(error: Error): void {
    if (this.outageSince === undefined) {
      this.outageSince = this.now();
      this.logger.warn(
        `service status of ${this.lifecycle.instance} not published to "${this.topic}": ${error.message}; retrying every ${this.heartbeatMs} ms`,
        { topic: this.topic, status: this.lifecycle.status },
      );
    }
    this.emitter.emit('failure', { error, status: this.lifecycle.status });
  }
}
