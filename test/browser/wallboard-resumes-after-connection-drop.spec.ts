import { METRIC_UPDATE_MODEL, type MetricUpdate } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page, WebSocket } from 'playwright-core';
import { queueGaugeUpdate } from '../../apps/aggregator/src/pipelines/calls/queue-stage/queue-updates';
import { newTenant, type RunningGateway, startGateway } from '../gateway/support/gateway-app';
import { testEnv, uniqueName } from '../support/env';
import { TcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/wait';
import { launchChromium, openPage, waitForText } from './support/wallboard-gateway';

// The wallboard's connection breaks (the network path, not the gateway: a TCP proxy between the browser and the real
// gateway cuts every connection and refuses new ones) while the aggregator publishes: once the path is back, the
// page reconnects by itself, resumes its channels from (epoch, seq) — it gets the missed delta, not a new
// snapshot — and shows the value it missed.
describe('wallboard in a browser across a dropped connection', () => {
  const namespace = uniqueName('resume');
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('resume'), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  let gw: RunningGateway | undefined;
  let proxy: TcpProxy | undefined;
  let browser: Browser | undefined;
  let tenant: string | undefined;

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    if (gw && tenant) await gw.pool.query('DELETE FROM tenants WHERE tenant = $1', [tenant]);
    await producer.disconnect().catch(() => undefined);
    await gw?.close();
  });

  /** Socket.io frames of one WebSocket, decoded: `42["event", payload]` (with an ack id or not) → [event, payload]. */
  interface Frames {
    sent: [string, unknown][];
    received: [string, { channel?: string }][];
  }
  const decode = (payload: string | Buffer): [string, never] | undefined => {
    const text = payload.toString();
    const m = /^42\d*(\[.*)$/s.exec(text);
    return m ? (JSON.parse(m[1]) as [string, never]) : undefined;
  };
  function recordFrames(page: Page): Frames[] {
    const sockets: Frames[] = [];
    page.on('websocket', (ws: WebSocket) => {
      const frames: Frames = { sent: [], received: [] };
      sockets.push(frames);
      ws.on('framesent', (f) => {
        const d = decode(f.payload);
        if (d) frames.sent.push(d);
      });
      ws.on('framereceived', (f) => {
        const d = decode(f.payload);
        if (d) frames.received.push(d);
      });
    });
    return sockets;
  }

  it('reconnects by itself and resumes with only what it missed', async () => {
    gw = await startGateway({ SWITCHBOARD_TOPIC_NAMESPACE: namespace });
    tenant = await newTenant(gw.pool);
    const gatewayPort = Number(new URL(gw.url).port);
    proxy = new TcpProxy({ host: '127.0.0.1', port: gatewayPort });
    const port = await proxy.start();

    await producer.connect();
    const publish = (u: MetricUpdate) =>
      producer.send({
        topic: `${namespace}.metrics.updates`,
        messages: [{ key: u.id, value: JSON.stringify(u), headers: { 'sb-model': METRIC_UPDATE_MODEL } }],
      });

    browser = await launchChromium();
    const problems: string[] = [];
    const page = await openPage(browser, 'about:blank', problems);
    const sockets = recordFrames(page);
    await page.goto(`http://127.0.0.1:${port}/#token=${gw.token(tenant, 'supervisor')}`);
    await waitForText(page, '#connection', 'Connected');

    await publish(queueGaugeUpdate(tenant, 'sales', 1, { waiting: 2, longestWaitingSince: Date.now() - 5_000 }));
    await waitForText(page, '[data-queue="sales"] [data-field="waiting"]', '2');

    proxy.cut();
    await waitForText(page, '#connection', /^Reconnecting… data as of \d\d:\d\d:\d\d$/);
    // Published while the page cannot hear it.
    await publish(queueGaugeUpdate(tenant, 'sales', 2, { waiting: 5, longestWaitingSince: Date.now() - 9_000 }));
    // socket.io's client retries with back-off: a few refused attempts, then the path is back.
    await eventually(async () => expect(proxy?.refused).toBeGreaterThan(0), 15_000, 100);
    proxy.restore();

    // socket.io's reconnection back-off is at most 5 s.
    await waitForText(page, '#connection', 'Connected', 15_000);
    await waitForText(page, '[data-queue="sales"] [data-field="waiting"]', '5');

    expect(sockets.length).toBeGreaterThanOrEqual(2);
    const [first] = sockets;
    const last = sockets[sockets.length - 1];
    // The first connection subscribed fresh and got a snapshot of the queues channel.
    expect(first.sent).toContainEqual(['subscribe', { channel: 'queues' }]);
    const snapshot = first.received.find(([event, frame]) => event === 'snapshot' && frame.channel === 'queues');
    expect(snapshot).toBeDefined();
    // The reconnection resumed where the page was (the same epoch, a sequence at or past the snapshot's) …
    const resume = last.sent.find(
      ([event, m]) => event === 'subscribe' && (m as { channel: string }).channel === 'queues',
    )?.[1] as { resume?: { epoch: string; seq: number } } | undefined;
    const snap = snapshot?.[1] as unknown as { epoch: string; seq: number };
    expect(resume?.resume?.epoch).toBe(snap.epoch);
    expect(resume?.resume?.seq).toBeGreaterThanOrEqual(snap.seq);
    // … and was answered with the missed delta, not a new snapshot.
    const queueFrames = last.received.filter(([, frame]) => frame.channel === 'queues').map(([event]) => event);
    expect(queueFrames).toContain('delta');
    expect(queueFrames).not.toContain('snapshot');
    // Chromium reports each refused reconnection attempt on the console; nothing else may be there.
    expect(problems.filter((p) => !/^WebSocket connection to .* failed: /.test(p))).toEqual([]);
  }, 60_000);
});
