import { namespaced } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import { io, type Socket } from 'socket.io-client';
import { json, newTenant, type RunningGateway, startGateway } from '../gateway/support/gateway-app';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { gauge, Publisher } from './live-harness';

// The live feed dying after a healthy start, through a real path: its topic `metrics.updates` is deleted under it, so
// the gateway's Kafka client gives up and its consumer crashes. Readiness goes false at once with a sentence of its
// own (no internal error text), the gateway starts the feed again by itself (creating the topic again), readiness is
// true again, and a client that stayed connected goes on in the same epoch: no new snapshot, the next change a delta.
describe('gateway readiness follows its live feed', () => {
  const namespace = uniqueName('feed-dies');
  const publisher = new Publisher(namespace);
  const admin = new Kafka({
    ...testEnv.kafkajs,
    clientId: uniqueName('feed-dies-admin'),
    logLevel: logLevel.NOTHING,
  }).admin();
  let gw: RunningGateway | undefined;
  let socket: Socket | undefined;

  afterAll(async () => {
    socket?.close();
    await gw?.close();
    await publisher.close();
    await admin.disconnect();
  });

  it('is not ready while the feed is down, restarts it, and clients go on without a new snapshot', async () => {
    gw = await startGateway({ SWITCHBOARD_TOPIC_NAMESPACE: namespace });
    await Promise.all([publisher.start(), admin.connect()]);
    expect((await gw.get('/health/ready')).status).toBe(200);
    const tenant = await newTenant(gw.pool);
    const frames: { type: string; epoch: string; rows: { id: string; version: number }[] }[] = [];
    const token = gw.token(tenant, 'supervisor');
    socket = io(gw.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    for (const type of ['snapshot', 'delta'])
      socket.on(type, (frame, ack: () => void) => {
        frames.push({ type, ...frame });
        ack();
      });
    socket.on('connect', () => socket?.emit('subscribe', { channel: 'queues' }));
    await publisher.updates([gauge(tenant, 'q1', 1)]);
    await eventually(() => expect(frames.flatMap((f) => f.rows).map((r) => r.version)).toContain(1));

    await admin.deleteTopics({ topics: [namespaced('metrics.updates', namespace)] });
    const down = await eventually(
      async () => {
        const res = await gw?.get('/health/ready');
        expect(res?.status).toBe(503);
        return json(res as Response);
      },
      60_000,
      100,
    );
    const reason = JSON.stringify(down);
    expect(reason).toContain('live feed stopped; restarting it');
    expect(reason).not.toMatch(/kafkajs|exception|topic|partition|127\.0\.0\.1|leader/i);
    expect((await gw.get('/health/live')).status).toBe(200);

    await eventually(async () => expect((await gw?.get('/health/ready'))?.status).toBe(200), 60_000, 200);
    const metrics = await (await gw.get('/metrics')).text();
    expect(metrics).toMatch(/dashboard_gateway_live_feed_running 1/);
    expect(metrics).toMatch(/dashboard_gateway_live_feed_failures_total 1/);

    await publisher.updates([gauge(tenant, 'q1', 2)]);
    await eventually(() => expect(frames.at(-1)?.rows.map((r) => r.version)).toContain(2), 30_000);
    expect(frames.at(-1)?.type).toBe('delta');
    expect(frames.filter((f) => f.type === 'snapshot')).toHaveLength(1);
    expect(new Set(frames.map((f) => f.epoch)).size).toBe(1);
    expect(socket.connected).toBe(true);
    await gw.pool.query('DELETE FROM tenants WHERE tenant = $1', [tenant]);
  }, 180_000);
});
