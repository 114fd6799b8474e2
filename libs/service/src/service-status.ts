import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { namespaced } from '@switchboard/domain';
import {
  SERVICE_STATUS_TOPIC,
  ServiceLifecycle,
  type ServiceStatus,
  type ServiceStatusPublisher,
  StreamingClient,
  StreamsAccessError,
} from '@switchboard/streams';
import { bounded } from './bounded';
import { nestStreamsLogger } from './database-pool';
import { KafkaAccessError, type KafkaConnection, streamingClientOptions } from './kafka-connection';
import { type SwitchboardService, serviceTopics, topicPlan } from './topic-plan';

/** How long the start-up check of the Kafka connection may take before the service starts without its answer. */
const ACCESS_CHECK_MS = 10_000;

/** Nest token of the app's `ServiceStatusReporter` (null where an app runs without one, e.g. in tests). */
export const SERVICE_STATUS = Symbol('SERVICE_STATUS');

export interface ServiceStatusOptions {
  /** `ingest`, `aggregator`, … */
  service: string;
  /** The service's Kafka connection (loadKafkaConnection): the status goes out over the same. */
  kafka: KafkaConnection;
  /** AGGREGATOR_GROUP_PREFIX, where the service has it: it names the calls repartition topic of the plan. */
  groupPrefix?: string;
  /**
   * The topics the service needs; default: the service's topics of the topic plan. With `kafka.topics` `verify`
   * the start fails, naming every one that is missing, before the app is built.
   */
  topics?: readonly string[];
  /** Default `<host>-<pid>` (apps pass INSTANCE_ID when set). */
  instanceId?: string;
  /** The topic is `<namespace>.service.status` when set, like every topic of the app. */
  topicNamespace?: string;
  version?: string;
  heartbeatMs?: number;
  /** How long the last record may take when the service stops or fails (default 5000 ms). */
  closeTimeoutMs?: number;
}

/** KAFKA_TOPICS=verify and topics the service needs do not exist: its start fails, naming them. */
export class MissingTopicsError extends Error {
  constructor(
    service: string,
    readonly topics: readonly string[],
  ) {
    super(
      `KAFKA_TOPICS is verify and ${service} needs ${topics.length === 1 ? 'a topic that does' : 'topics that do'} not exist: ${topics.join(', ')}; create ${topics.length === 1 ? 'it' : 'them'} as \`switchboard topics plan\` prints (partitions, replication factor, configs), or set KAFKA_TOPICS=create where the cluster lets clients create topics`,
    );
    this.name = 'MissingTopicsError';
  }
}

/** Where a failure leads from each status (PRODUCT.md's table); from the others there is nothing to say. */
const FAILURE: Partial<Record<ServiceStatus, ServiceStatus>> = {
  Deploying: 'DeploymentFailed',
  Starting: 'DeploymentFailed',
  Running: 'RuntimeError',
  Stopping: 'Stopped',
};

/**
 * One service instance's status on `service.status`, as a service lives it: `boot()` goes
 * QueuedForDeployment → Deploying → Starting → Running (or DeploymentFailed), `stopping()` / `stopped()` on a
 * shutdown, `failed()` on a crash, each published before it returns. It has a Kafka client of its own, so
 * the last status still goes out after the app closed its connections, and a status publish never throws:
 * Kafka's own complaints go to debug, the outage is logged once.
 */
export class ServiceStatusReporter {
  readonly lifecycle: ServiceLifecycle;
  private readonly client: StreamingClient;
  private readonly publisher: ServiceStatusPublisher;
  private readonly log: Logger;
  private crashHandler: ((err: Error) => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: ServiceStatusOptions) {
    const instanceId = opts.instanceId ?? `${hostname()}-${process.pid}`;
    this.lifecycle = new ServiceLifecycle({ service: opts.service, instanceId });
    this.log = new Logger('ServiceStatus');
    const quiet = nestStreamsLogger(this.log);
    this.client = new StreamingClient({
      ...streamingClientOptions(opts.kafka, `${opts.service}-status-${instanceId}`),
      retries: 2,
      ackTimeoutMs: 10_000,
      logger: { ...quiet, info: quiet.debug, warn: quiet.debug, error: quiet.debug },
    });
    this.publisher = this.client.createServiceStatusPublisher(this.lifecycle, {
      topic: namespaced(SERVICE_STATUS_TOPIC, opts.topicNamespace),
      heartbeatMs: opts.heartbeatMs,
      version: opts.version,
      logger: nestStreamsLogger(this.log),
    });
  }

  get status(): ServiceStatus {
    return this.lifecycle.status;
  }

  /** Publishes QueuedForDeployment (and every status after it, and the heartbeat). */
  start(): this {
    this.publisher.start();
    return this;
  }

  /**
   * Deploying while `build` makes the app, Starting while `start` starts it (listening, pipelines), then
   * Running. A failure on the way is published as DeploymentFailed, then rethrown.
   */
  async boot<T>(build: () => Promise<T>, start: (built: T) => Promise<unknown>): Promise<T> {
    try {
      this.lifecycle.transition('Deploying');
      await this.checkKafkaAccess();
      const built = await build();
      this.lifecycle.transition('Starting');
      await start(built);
      this.lifecycle.transition('Running');
      return built;
    } catch (err) {
      await this.failed(err);
      throw err;
    }
  }

  /**
   * Before the app is built: a cluster that refuses the service's credentials or certificate fails the start now,
   * with what to fix, instead of behind the retries of every client. A cluster that does not answer yet does not:
   * the service starts and waits for Kafka as it does through an outage.
   */
  private async checkKafkaAccess(): Promise<void> {
    try {
      await this.client.checkConnection(ACCESS_CHECK_MS);
    } catch (err) {
      if (err instanceof StreamsAccessError) throw new KafkaAccessError(err, this.opts.kafka);
      this.log.warn(`Kafka does not answer yet (${(err as Error).message}); starting without it`);
      return;
    }
    if (this.opts.kafka.topics === 'verify') await this.verifyTopics(this.opts.topics ?? this.plannedTopics());
  }

  private plannedTopics(): string[] {
    const { service, topicNamespace, groupPrefix, kafka } = this.opts;
    const plan = topicPlan({
      namespace: topicNamespace,
      groupPrefix,
      partitions: kafka.partitions,
      replicationFactor: kafka.replicationFactor,
    });
    return serviceTopics(plan, service as SwitchboardService);
  }

  /** KAFKA_TOPICS=verify: every topic the service needs exists, or the start fails naming those that do not. */
  private async verifyTopics(topics: readonly string[]): Promise<void> {
    const exists = await Promise.all(topics.map((t) => this.client.topicExists(t)));
    const missing = topics.filter((_, i) => !exists[i]);
    if (missing.length > 0) throw new MissingTopicsError(this.opts.service, missing);
  }

  /** Running (or Starting) → Stopping, e.g. on SIGTERM; in any other status a shutdown has nothing to add. */
  stopping(signal?: string): void {
    if (this.lifecycle.canTransition('Stopping')) this.lifecycle.transition('Stopping', signal && `on ${signal}`);
  }

  /** Stopping → Stopped after a clean shutdown; waits (bounded) until Kafka has it, then closes. */
  async stopped(): Promise<void> {
    this.stopping();
    if (this.lifecycle.canTransition('Stopped')) this.lifecycle.transition('Stopped');
    await this.close();
  }

  /** A failed start (DeploymentFailed) or a crash (RuntimeError), published best effort; then closes. */
  async failed(err: unknown): Promise<void> {
    const next = FAILURE[this.lifecycle.status];
    const message = err instanceof Error ? err.message : String(err);
    if (next && this.lifecycle.canTransition(next)) this.lifecycle.transition(next, message);
    await this.close();
  }

  /** On an uncaught exception (or unhandled rejection): the stack to stderr, RuntimeError published, exit 1. */
  exitOnCrash(): this {
    if (this.crashHandler) return this;
    let crashed = false;
    this.crashHandler = (err: Error) => {
      process.stderr.write(`${this.opts.service} crashed: ${err?.stack ?? String(err)}\n`);
      if (crashed) return;
      crashed = true;
      void this.failed(err).finally(() => process.exit(1));
    };
    process.on('uncaughtException', this.crashHandler);
    return this;
  }

  /** Stops the heartbeat and closes the client, waiting at most `closeTimeoutMs` for the last record. */
  close(): Promise<void> {
    this.closing ??= bounded(
      this.publisher.stop().then(() => this.client.close()),
      'the service status publisher',
      this.opts.closeTimeoutMs ?? 5000,
    ).catch((err) => this.log.warn(`last service status may be missing: ${(err as Error).message}`));
    return this.closing;
  }
}

/** The instance's status reporter, publishing from now on (QueuedForDeployment first). */
export function serviceStatus(opts: ServiceStatusOptions): ServiceStatusReporter {
  return new ServiceStatusReporter(opts).start();
}
