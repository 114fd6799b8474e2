import { io, type Socket } from 'socket.io-client';
import { testEnv, uniqueName } from '../support/env';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/wait';
import { ENDPOINTS, json, newTenant, type RunningGateway, startGateway } from './support/gateway-app';

// Kafka away when the gateway boots (a TCP proxy in front of the real broker refuses every connection): the gateway
// boots anyway, answers REST from Postgres, says in its readiness why it is not ready, and starts its live feed by
// itself once Kafka answers — no restart, and dashboards then get their snapshot.
describe('gateway booting while Kafka is away', () => {
  const [host, port] = testEnv.brokers[0].split(':');
  const proxy = new TcpProxy({ host, port: Number(port) });
  let gw: RunningGateway | undefined;
  let socket: Socket | undefined;

  afterAll(async () => {
    socket?.close();
    await gw?.close();
    await proxy.stop();
  });

  it('serves REST meanwhile, reports the live feed not ready, and starts it when Kafka returns', async () => {
    const proxyPort = await proxy.start();
    proxy.cut();
    gw = await startGateway(
      { KAFKA_BROKERS: `127.0.0.1:${proxyPort}`, SWITCHBOARD_TOPIC_NAMESPACE: uniqueName('kafka-late') },
      { waitForLive: false },
    );
    expect(proxy.refused).toBeGreaterThan(0);

    const notReady = await gw.get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(JSON.stringify(await json(notReady))).toMatch(
      /live feed not started \(\d+ attempts since [^;]+; the error is in the log\)/,
    );
    expect((await gw.get('/health/live')).status).toBe(200);
    const tenant = await newTenant(gw.pool);
    const stats = ENDPOINTS.find((e) => e.role === 'supervisor');
    expect((await gw.get(stats?.path ?? '', gw.token(tenant, 'supervisor'))).status).toBe(200);

    proxy.restore();
    await eventually(async () => expect((await gw?.get('/health/ready'))?.status).toBe(200), 60_000, 500);

    const url = gw.url;
    const token = gw.token(tenant, 'supervisor');
    const snapshot = await new Promise<{ channel: string; rows: unknown[] }>((resolve, reject) => {
      socket = io(url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
      socket.on('connect', () => socket?.emit('subscribe', { channel: 'queues' }));
      socket.on('snapshot', (frame, ack?: () => void) => {
        ack?.();
        resolve(frame);
      });
      socket.on('connect_error', reject);
    });
    expect(snapshot).toMatchObject({ channel: 'queues', rows: [] });
    await gw.pool.query('DELETE FROM tenants WHERE tenant = $1', [tenant]);
  }, 120_000);
});
