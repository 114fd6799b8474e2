import { namespaced, Topics } from '@switchboard/domain';
import { SERVICE_STATUS_MODEL, SERVICE_STATUS_TOPIC, type ServiceStatusRecord } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { type RunningGateway, startGateway } from '../gateway/support/gateway-app';
import { testEnv, uniqueName } from '../support/env';
import { launchChromium, openPage, waitForText } from './support/wallboard-gateway';

// The operator's services panel in a real (headless, system) Chromium against the real gateway in-process: service
// instances from `service.status` (an unresponsive one highlighted) and consumer lag from the aggregator's
// checkpoints against the topic's end, live; a supervisor's token is told it may not read the panel.
describe('services panel in a browser', () => {
  const namespace = uniqueName('services');
  const groupPrefix = uniqueName('agg').replaceAll('-', '_');
  const group = `${groupPrefix}.energy`;
  const meters = namespaced(Topics.meters, namespace);
  const statusTopic = namespaced(SERVICE_STATUS_TOPIC, namespace);
  const operatorTenant = uniqueName('ops').replaceAll('-', '_');
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('services'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  let gw: RunningGateway | undefined;
  let browser: Browser | undefined;
  const consoleProblems: string[] = [];

  const checkpoint = (partition: number, next: number, owner: string) =>
    gw?.pool.query(
      `INSERT INTO streams_offsets (consumer_group, topic, partition, next_offset, owner_id, owner_epoch, updated_at)
       VALUES ($1, $2, $3, $4, $5, 1, now())
       ON CONFLICT (consumer_group, topic, partition)
       DO UPDATE SET next_offset = EXCLUDED.next_offset, owner_id = EXCLUDED.owner_id, updated_at = now()`,
      [group, meters, partition, next, owner],
    );
  const publishStatus = (record: ServiceStatusRecord) =>
    producer.send({
      topic: statusTopic,
      messages: [
        {
          key: `${record.service}/${record.instanceId}`,
          value: JSON.stringify(record),
          headers: { 'sb-model': SERVICE_STATUS_MODEL },
        },
      ],
    });

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: meters, numPartitions: 2 }] });
    await producer.connect();
    await producer.send({
      topic: meters,
      messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, key: `m${i}`, value: '{}' })),
    });
    gw = await startGateway({
      SWITCHBOARD_TOPIC_NAMESPACE: namespace,
      AGGREGATOR_GROUP_PREFIX: groupPrefix,
      DASHBOARD_GATEWAY_LAG_INTERVAL_MS: '200',
      DASHBOARD_OPERATOR_TENANT: operatorTenant,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.pool.query('DELETE FROM streams_offsets WHERE starts_with(consumer_group, $1)', [groupPrefix]);
    await gw?.close();
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [meters, statusTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function open(path: string): Promise<Page> {
    if (!browser || !gw) throw new Error('not started');
    return openPage(browser, `${gw.url}${path}`, consoleProblems);
  }

  it('shows service instances and consumer lag live to an operator', async () => {
    if (!gw) throw new Error('not started');
    await checkpoint(0, 2, 'agg-browser-1');
    const now = Date.now();
    const record = (instanceId: string, heartbeatAt: number): ServiceStatusRecord => ({
      service: 'aggregator',
      instanceId,
      status: 'Running',
      since: now - 600_000,
      heartbeatAt,
      host: 'node-1',
      pid: 4242,
    });
    await publishStatus(record('agg-browser-1', now));
    await publishStatus(record('agg-browser-2', now - 120_000));

    const page = await open(`/services#token=${gw.token(operatorTenant, 'operator')}`);
    expect(page.url()).toBe(`${gw.url}/services`);
    await waitForText(page, '#connection', 'Connected');

    const instance = (id: string, field: string) => `tr[data-key="aggregator/${id}"] [data-field="${field}"]`;
    await waitForText(page, instance('agg-browser-1', 'status'), 'Running');
    expect(await page.locator(instance('agg-browser-1', 'host')).textContent()).toBe('node-1:4242');
    expect(await page.locator('tr[data-key="aggregator/agg-browser-1"]').getAttribute('data-unresponsive')).toBe(
      'false',
    );
    await waitForText(page, instance('agg-browser-2', 'status'), 'Runningunresponsive');
    expect(await page.locator('tr[data-key="aggregator/agg-browser-2"]').getAttribute('data-unresponsive')).toBe(
      'true',
    );
    await waitForText(page, instance('agg-browser-2', 'heartbeat'), /^2 min \d+ s ago$/);

    const lagCell = (partition: number, field: string) =>
      `tr[data-id="${group}/${meters}/${partition}"] [data-field="${field}"]`;
    await waitForText(page, lagCell(0, 'lag'), '3');
    expect(await page.locator(lagCell(0, 'next')).textContent()).toBe('2');
    expect(await page.locator(lagCell(0, 'end')).textContent()).toBe('5');
    expect(await page.locator(lagCell(0, 'owner')).textContent()).toBe('agg-browser-1');
    expect(await page.locator(lagCell(0, 'lag')).getAttribute('data-level')).toBe('some');
    // The partition the group never acquired is there too: nothing in it, nothing to read.
    await waitForText(page, lagCell(1, 'lag'), '0');
    expect(await page.locator(lagCell(1, 'owner')).textContent()).toBe('—');

    // The aggregator checkpoints further: the lag follows without a reload.
    await checkpoint(0, 5, 'agg-browser-2');
    await waitForText(page, lagCell(0, 'lag'), '0');
    expect(await page.locator(lagCell(0, 'owner')).textContent()).toBe('agg-browser-2');
    expect(await page.locator(lagCell(0, 'lag')).getAttribute('data-level')).toBe('none');

    // Strict CSP on the panel and its own files, and the page needed nothing it forbids.
    const res = await fetch(`${gw.url}/services`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const js = await fetch(`${gw.url}/services/services.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(
      (await fetch(`${gw.url}/services/services.js`, { headers: { 'if-none-match': js.headers.get('etag') ?? '' } }))
        .status,
    ).toBe(304);
    expect((await fetch(`${gw.url}/services/..%2Fpage.module.ts`)).status).toBe(404);
    expect(consoleProblems).toEqual([]);
  }, 30_000);

  it("tells a supervisor's token and another tenant's operator token that they may not read the panel", async () => {
    if (!gw) throw new Error('not started');
    for (const t of [gw.token(operatorTenant, 'supervisor'), gw.token(uniqueName('tb'), 'operator')]) {
      const page = await open(`/services#token=${t}`);
      await waitForText(
        page,
        '#message',
        /may not read the services panel.*tokens create --tenant operations --role operator/,
      );
      expect(await page.locator('#connection').textContent()).toBe('Not connected');
      expect(await page.locator('#instance-rows tr').count()).toBe(0);
    }
  }, 15_000);
});
