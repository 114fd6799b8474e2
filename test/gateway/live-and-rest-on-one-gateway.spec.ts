import { METRIC_UPDATE_MODEL, type MetricUpdate } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { queueGaugeUpdate } from '../../apps/aggregator/src/pipelines/calls/queue-stage/queue-updates';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { newTenant, type RunningGateway, startGateway } from './support/gateway-app';

interface Frame {
  channel: string;
  seq: number;
  rows: { id: string; version: number; row: Record<string, unknown> | null }[];
}

// The gateway as `npm start` runs it: REST and the live socket.io delivery on one HTTP server, one token. A
// supervisor's dashboard gets the queue rows Postgres holds as its snapshot, then the aggregator's next update of
// the queue's gauge as a delta; another tenant's dashboard on the same gateway gets none of it.
describe('live delivery and REST on one gateway', () => {
  const namespace = uniqueName('gw-live');
  let gw: RunningGateway;
  const sockets: Socket[] = [];
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('gw-live'), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();

  const tenants: string[] = [];

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    if (gw && tenants.length > 0) {
      await gw.pool.query('DELETE FROM queue_stats_1m WHERE tenant = ANY($1)', [tenants]);
      await gw.pool.query('DELETE FROM tenants WHERE tenant = ANY($1)', [tenants]);
    }
    await producer.disconnect().catch(() => undefined);
    await gw?.close();
  });

  function dashboard(token: string): { frames: Frame[]; errors: unknown[] } {
    const frames: Frame[] = [];
    const errors: unknown[] = [];
    const socket = io(gw.url, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
    sockets.push(socket);
    for (const type of ['snapshot', 'delta'])
      socket.on(type, (frame: Frame, ack: () => void) => {
        frames.push(frame);
        ack();
      });
    socket.on('error', (e: unknown) => errors.push(e));
    socket.on('connect', () => socket.emit('subscribe', { channel: 'queues' }));
    return { frames, errors };
  }

  it('serves the snapshot from Postgres, then deltas from metrics.updates, per tenant', async () => {
    // Rows committed before the gateway starts: its snapshot comes from Postgres.
    const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 1 });
    const tenant = await newTenant(pool);
    const other = await newTenant(pool);
    tenants.push(tenant, other);
    const windowStart = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
    await pool.query(
      `INSERT INTO queue_stats_1m (tenant, queue, window_start, window_end, offered, answered, answered_in_sla, version)
       VALUES ($1, 'sales', $2, $2::timestamptz + interval '1 minute', 3, 2, 2, 4)`,
      [tenant, windowStart],
    );
    await pool.end();
    gw = await startGateway({ SWITCHBOARD_TOPIC_NAMESPACE: namespace });

    // The REST side of the same server answers with the same token.
    const token = gw.token(tenant, 'supervisor');
    const rest = await gw.get(
      `/v1/queues/sales/stats?from=${windowStart.toISOString()}&to=${new Date(windowStart.getTime() + 60_000).toISOString()}`,
      token,
    );
    expect(rest.status).toBe(200);

    const mine = dashboard(token);
    const theirs = dashboard(gw.token(other, 'supervisor'));
    await eventually(() => {
      const snapshot = mine.frames.find((f) => f.channel === 'queues');
      expect(snapshot?.rows).toEqual([
        expect.objectContaining({ id: `${tenant}/queue_stats_1m/sales/${windowStart.getTime()}`, version: 4 }),
      ]);
    }, 20_000);

    // The aggregator's next gauge change for the queue, as its outbox relay publishes it.
    const gauge: MetricUpdate = queueGaugeUpdate(tenant, 'sales', 1, { waiting: 2, longestWaitingSince: Date.now() });
    await producer.connect();
    await producer.send({
      topic: `${namespace}.metrics.updates`,
      messages: [{ key: gauge.id, value: JSON.stringify(gauge), headers: { 'sb-model': METRIC_UPDATE_MODEL } }],
    });
    await eventually(() => {
      const rows = mine.frames.flatMap((f) => f.rows);
      expect(rows).toContainEqual(
        expect.objectContaining({ id: gauge.id, version: 1, row: expect.objectContaining({ waiting: 2 }) }),
      );
    }, 20_000);
    expect(theirs.frames.flatMap((f) => f.rows)).toEqual([]);
    expect([...mine.errors, ...theirs.errors]).toEqual([]);

    // What an operator's Prometheus sees of it: two sockets, their channels, the frames by type, the feed running.
    const metrics = await (await gw.get('/metrics')).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('dashboard_gateway_live_clients')).toBe(2);
    expect(value('dashboard_gateway_live_channels')).toBeGreaterThanOrEqual(2);
    expect(value('dashboard_gateway_live_feed_running')).toBe(1);
    expect(value('dashboard_gateway_live_frames_sent_total\\{type="snapshot"\\}')).toBeGreaterThanOrEqual(2);
    expect(value('dashboard_gateway_live_frames_sent_total\\{type="delta"\\}')).toBeGreaterThanOrEqual(1);
    expect(value('dashboard_gateway_live_feed_skipped_total')).toBe(0);
  }, 60_000);
});
