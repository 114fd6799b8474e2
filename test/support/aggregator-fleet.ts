import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { checkpointedTo, queueStageCaughtUp } from './drain';
import { testEnv, uniqueName } from './env';

const root = join(__dirname, '..', '..');

/**
 * Aggregator instances as child processes (the real app, so chaos tests can SIGKILL them), all in consumer
 * groups of their own prefix, and a way to know when they have drained their input.
 */
export class AggregatorFleet {
  readonly groupPrefix = uniqueName('agg').replaceAll('-', '_');
  readonly log: string[] = [];
  private readonly instances = new Map<string, ChildProcess>();
  private port: number;

  private readonly brokers: string[];

  /**
   * `port`: the first instance's HTTP port (the next ones count up); default a random one in 3400–3799.
   * `brokers`: the cluster the instances and the drain checks use; default the suite's (testEnv).
   */
  constructor(
    private readonly settings: {
      graceMs: number;
      idleMs: number;
      extraEnv?: Record<string, string>;
      port?: number;
      brokers?: string[];
    },
  ) {
    this.port = settings.port ?? 3400 + Math.floor(Math.random() * 400);
    this.brokers = settings.brokers ?? testEnv.brokers;
  }

  start(name: string): ChildProcess {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'apps/aggregator/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_BROKERS: this.brokers.join(','),
        DATABASE_URL: testEnv.databaseUrl,
        AGGREGATOR_PORT: String(this.port++),
        INSTANCE_ID: name,
        AGGREGATOR_GROUP_PREFIX: this.groupPrefix,
        AGGREGATOR_GRACE_MS: String(this.settings.graceMs),
        AGGREGATOR_IDLE_MS: String(this.settings.idleMs),
        LOG_LEVEL: 'warn',
        ...this.settings.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const record = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.log.push(`${name}: ${line}`);
    };
    child.stdout?.on('data', record);
    child.stderr?.on('data', record);
    this.instances.set(name, child);
    return child;
  }

  async stop(name: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.instances.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** Next offset at the end of each partition of `topic`. */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const kafka = new Kafka({ clientId: 'drain-check', brokers: this.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * True when every consumer group of this fleet has checkpointed (in Postgres) up to the end of each
   * partition of its input topics. (A topic whose end keeps moving needs a fixed mark: see queueStageCaughtUp.)
   */
  async drained(pool: Pool, topicsByGroup: Record<string, string[]>, tablePrefix = 'streams_'): Promise<boolean> {
    for (const [group, topics] of Object.entries(topicsByGroup))
      for (const topic of topics)
        if (
          !(await checkpointedTo(
            pool,
            `${this.groupPrefix}.${group}`,
            topic,
            await this.endOffsets(topic),
            tablePrefix,
          ))
        )
          return false;
    return true;
  }

  /** The check that the calls queue stage has caught up once `inputs` are drained (see queueStageCaughtUp). */
  queueStageCaughtUp(pool: Pool, inputs: Record<string, string[]>): () => Promise<boolean> {
    return queueStageCaughtUp(
      pool,
      this.groupPrefix,
      (t) => this.endOffsets(t),
      () => this.drained(pool, inputs),
    );
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((n) => this.stop(n, 'SIGKILL')));
  }
}
