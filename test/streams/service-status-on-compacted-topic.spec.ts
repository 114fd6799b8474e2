import { readServiceStatus, ServiceLifecycle, type ServiceStatusRecord } from '@switchboard/streams';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// On the real broker: the publisher creates its topic compacted (other topics keep the broker's default),
// writes a record keyed <service>/<instanceId> for every transition, in order, re-publishes it on every
// heartbeat, and after removal writes a tombstone and stops.
describe('service status on a compacted topic', () => {
  const kafka = new Kafka({
    brokers: testEnv.brokers,
    clientId: uniqueName('status-reader'),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const client = testClient('status');
  beforeAll(() => admin.connect());
  afterAll(async () => {
    await client.close();
    await admin.disconnect();
  });

  async function cleanupPolicy(topic: string): Promise<string | undefined> {
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    });
    return resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
  }

  it('publishes transitions and heartbeats, then a tombstone after Deleting', async () => {
    const topic = uniqueName('service.status');
    const instanceId = uniqueName('inst');
    const lifecycle = new ServiceLifecycle({ service: 'aggregator', instanceId });
    const publisher = client.createServiceStatusPublisher(lifecycle, { topic, heartbeatMs: 200, version: '9.9.9' });
    let heartbeats = 0;
    publisher.on('published', (p) => {
      if (p.heartbeat) heartbeats++;
    });
    publisher.start();
    lifecycle.transition('Deploying');
    lifecycle.transition('Starting');
    lifecycle.transition('Running', 'pipelines running');
    await eventually(() => expect(heartbeats).toBeGreaterThanOrEqual(3), 15_000);
    lifecycle.transition('Stopping', 'SIGTERM');
    lifecycle.transition('Stopped');
    lifecycle.transition('Deleting');
    lifecycle.remove();
    await publisher.flush();

    expect(await cleanupPolicy(topic)).toBe('compact');
    const plain = uniqueName('plain');
    await client.ensureTopics([plain]);
    expect(await cleanupPolicy(plain)).toBe('delete');

    const received: { key: string; value: Buffer | null; model: string | undefined }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('status-group') });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({
            key: String(message.key),
            value: message.value,
            model: message.headers?.['sb-model']?.toString(),
          });
        },
      });
      await eventually(() => expect(received.at(-1)?.value).toBeNull(), 30_000);
    } finally {
      await consumer.disconnect();
    }

    expect(new Set(received.map((r) => r.key))).toEqual(new Set([`aggregator/${instanceId}`]));
    expect(new Set(received.map((r) => r.model))).toEqual(new Set(['service-status']));
    const records = received.slice(0, -1).map((r) => readServiceStatus(r.value) as ServiceStatusRecord);
    const statuses = records.map((r) => r.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual([
      'QueuedForDeployment',
      'Deploying',
      'Starting',
      'Running',
      'Stopping',
      'Stopped',
      'Deleting',
    ]);

    const running = records.filter((r) => r.status === 'Running');
    expect(running.length).toBeGreaterThanOrEqual(4); // the transition and three heartbeats
    expect(new Set(running.map((r) => r.since)).size).toBe(1);
    expect(running.map((r) => r.heartbeatAt)).toEqual([...running.map((r) => r.heartbeatAt)].sort((a, b) => a - b));
    expect(running.at(-1)?.heartbeatAt).toBeGreaterThan(running[0].heartbeatAt);
    expect(running[0]).toMatchObject({
      service: 'aggregator',
      instanceId,
      pid: process.pid,
      version: '9.9.9',
      detail: 'pipelines running',
    });
    expect(records.find((r) => r.status === 'Stopping')?.detail).toBe('SIGTERM');

    // Nothing follows the tombstone: the heartbeat stopped.
    const count = received.length;
    await new Promise((r) => setTimeout(r, 600));
    const end = await admin.fetchTopicOffsets(topic);
    expect(end.reduce((n, p) => n + Number(p.high), 0)).toBe(count);
  }, 60_000);
});
