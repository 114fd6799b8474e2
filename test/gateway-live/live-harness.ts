import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  alertUpdate,
  createDashboardToken,
  type DashboardRole,
  METRIC_UPDATE_MODEL,
  type MetricUpdate,
  namespaced,
} from '@switchboard/domain';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { EnergyWindowRow } from '../../apps/aggregator/src/energy/meter-energy';
import { queueGaugeUpdate } from '../../apps/aggregator/src/pipelines/calls/queue-stage/queue-updates';
import { energyUpdate } from '../../apps/aggregator/src/pipelines/energy';
import { type LiveLimits, LiveModule, LiveService } from '../../apps/dashboard-gateway/src/live';
import type { DeltaFrame, LiveError, SnapshotFrame } from '../../apps/dashboard-gateway/src/live/protocol';
import { untilLive } from '../gateway/support/gateway-app';
import { testEnv, uniqueName } from '../support/env';

export const SECRET = 'gateway-live-test-secret-0123456789abcdef';

export function token(tenant: string, role: DashboardRole = 'supervisor', ttlSeconds = 600): string {
  return createDashboardToken(SECRET, { tenant, role, ttlSeconds });
}

/** A Nest app with only LiveModule, on a random port, in its own topic namespace. */
export class LiveGateway {
  app!: INestApplication;
  url!: string;
  service!: LiveService;

  constructor(
    readonly namespace: string,
    readonly pool: Pool,
    private readonly limits: Partial<LiveLimits> = {},
  ) {}

  async start(): Promise<this> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        LiveModule.forRoot({
          brokers: testEnv.brokers,
          pool: this.pool,
          topicNamespace: this.namespace,
          tokenSecret: SECRET,
          instanceId: 'test',
          limits: this.limits,
        }),
      ],
    }).compile();
    this.app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    await this.app.listen(0, '127.0.0.1');
    this.url = `http://127.0.0.1:${(this.app.getHttpServer().address() as AddressInfo).port}`;
    this.service = this.app.get(LiveService);
    await untilLive(this.app);
    return this;
  }

  async close(): Promise<void> {
    await this.app?.close();
  }
}

/** Publishes update envelopes and status records as the aggregator's relay does (key = id, sb-model header). */
export class Publisher {
  private readonly kafka = new Kafka({
    brokers: testEnv.brokers,
    clientId: uniqueName('live-pub'),
    logLevel: logLevel.NOTHING,
  });
  private readonly producer: Producer = this.kafka.producer();

  constructor(readonly namespace: string) {}

  async start(): Promise<this> {
    await this.producer.connect();
    return this;
  }

  async updates(list: MetricUpdate[], topic = 'metrics.updates'): Promise<void> {
    await this.producer.send({
      topic: namespaced(topic, this.namespace),
      messages: list.map((u) => ({
        key: u.id,
        value: JSON.stringify(u),
        headers: { 'sb-model': METRIC_UPDATE_MODEL },
      })),
    });
  }

  async raw(topic: string, key: string, value: string | null): Promise<void> {
    await this.producer.send({ topic: namespaced(topic, this.namespace), messages: [{ key, value }] });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

type Frame = ({ type: 'snapshot' } & SnapshotFrame) | ({ type: 'delta' } & DeltaFrame);

/** A socket.io-client that records frames and errors; it acknowledges frames unless told to hold them. */
export class Probe {
  readonly socket: Socket;
  readonly frames: Frame[] = [];
  readonly errors: LiveError[] = [];
  connectError: { message: string; data?: unknown } | undefined;
  holdAcks = false;
  private readonly held: (() => void)[] = [];

  constructor(url: string, auth: Record<string, unknown>) {
    this.socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    for (const type of ['snapshot', 'delta'] as const) {
      this.socket.on(type, (frame: SnapshotFrame | DeltaFrame, ack: () => void) => {
        this.frames.push({ type, ...frame } as Frame);
        if (this.holdAcks) this.held.push(ack);
        else ack();
      });
    }
    this.socket.on('error', (e: LiveError) => this.errors.push(e));
    this.socket.on('connect_error', (e: Error & { data?: unknown }) => {
      this.connectError = { message: e.message, data: e.data };
    });
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  subscribe(channel: string, resume?: { epoch: string; seq: number }): void {
    this.socket.emit('subscribe', resume ? { channel, resume } : { channel });
  }

  releaseAcks(): void {
    this.holdAcks = false;
    for (const ack of this.held.splice(0)) ack();
  }

  of(channel: string): Frame[] {
    return this.frames.filter((f) => f.channel === channel);
  }

  /** The channel's rows as a client that applies frames in order holds them (id → version). */
  versions(channel: string): Map<string, number> {
    const rows = new Map<string, number>();
    for (const f of this.of(channel)) {
      if (f.type === 'snapshot') rows.clear();
      for (const r of f.rows) rows.set(r.id, r.version);
    }
    return rows;
  }

  close(): void {
    this.socket.disconnect();
  }
}

export function testPool(): Pool {
  return new Pool({ connectionString: testEnv.databaseUrl, max: 4 });
}

/** A queue gauge update as the aggregator builds it (the live kind without a table). */
export function gauge(tenant: string, queue: string, version: number, waiting = version): MetricUpdate {
  return queueGaugeUpdate(tenant, queue, version, { waiting, longestWaitingSince: null });
}

/** A 15-minute window update as the aggregator builds it. */
export function meterWindow(tenant: string, meterId: string, windowStart: number, version: number): MetricUpdate {
  const row = { windowStart, windowEnd: windowStart + 900_000, isFinal: false };
  return energyUpdate(
    tenant,
    meterId,
    { ...row, energyMwh: version * 1000, readings: version, maxPowerW: null, resets: 0 } as EnergyWindowRow,
    version,
  );
}

/** A firing alert of a queue, as the alert rules build it. */
export function firingAlert(tenant: string, queue: string, firedAt: number, version = 1): MetricUpdate {
  return alertUpdate({
    tenant,
    rule: 'queue_longest_wait_high',
    entityType: 'queue',
    entityId: queue,
    severity: 'warning',
    firing: true,
    message: `The longest-waiting call in queue ${queue} has waited 90 s (threshold 60 s)`,
    value: 90,
    threshold: 60,
    details: {},
    firedAt,
    resolvedAt: null,
    version,
  });
}

/** One gateway and publisher per spec file, started before and closed (with every probe) after its tests. */
export function liveSuite(limits: Partial<LiveLimits> = {}, prepare: (pool: Pool) => Promise<void> = async () => {}) {
  const namespace = uniqueName('live');
  const pool = testPool();
  const gateway = new LiveGateway(namespace, pool, limits);
  const probes: Probe[] = [];
  const tenants: string[] = [];
  const suite = {
    namespace,
    pool,
    gateway,
    publisher: new Publisher(namespace),
    tenant(prefix: string): string {
      const t = uniqueName(prefix).replace(/-/g, '_');
      tenants.push(t);
      return t;
    },
    probe(auth: Record<string, unknown>, on: LiveGateway = gateway): Probe {
      const p = new Probe(on.url, auth);
      probes.push(p);
      return p;
    },
  };
  beforeAll(async () => {
    await prepare(pool);
    await suite.gateway.start();
    await suite.publisher.start();
  });
  afterAll(async () => {
    for (const p of probes) p.close();
    await suite.publisher.close();
    await suite.gateway.close();
    await deleteTenants(pool, tenants);
    await pool.end();
  });
  return suite;
}

export async function deleteTenants(pool: Pool, tenants: string[]): Promise<void> {
  for (const table of ['queue_stats_1m', 'meter_energy_15m', 'agent_status', 'alerts']) {
    await pool.query(`DELETE FROM ${table} WHERE tenant = ANY($1)`, [tenants]);
  }
}
