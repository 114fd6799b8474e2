import { Kafka, logLevel } from 'kafkajs';
import { callsHopTopic } from '../../apps/aggregator/src/pipelines/calls/calls-hop';
import { topicPlan } from '../../libs/service/src/topic-plan';
import { testEnv, uniqueName } from '../support/env';
import { ServiceProcesses } from '../support/service-processes';

// A cluster where clients may not create topics: the administrator creates them from `switchboard topics plan`, and
// the services, with KAFKA_TOPICS=verify, only check them at start. One topic of the plan left out: the aggregator
// refuses to start, naming it; once it exists, every service starts, and none created a topic of its own.

const namespace = uniqueName('verify').replace(/-/g, '_');
const groupPrefix = `${namespace}_agg`;
const plan = topicPlan({ namespace, groupPrefix, partitions: 2, replicationFactor: 1 });
const missing = `${namespace}.events.meters.dlq`;
const admin = new Kafka({
  brokers: testEnv.brokers,
  clientId: uniqueName('plan-admin'),
  logLevel: logLevel.NOTHING,
}).admin();
const services = new ServiceProcesses();
const env = {
  KAFKA_BROKERS: testEnv.brokers.join(','),
  DATABASE_URL: testEnv.databaseUrl,
  SWITCHBOARD_TOPIC_NAMESPACE: namespace,
  AGGREGATOR_GROUP_PREFIX: groupPrefix,
  KAFKA_TOPICS: 'verify',
  DASHBOARD_TOKEN_SECRET: 'verify-spec-secret-of-at-least-32-bytes!',
  LOG_LEVEL: 'warn',
};
const ours = (topics: string[]) =>
  topics.filter((t) => t.startsWith(`${namespace}.`) || t.startsWith(`${groupPrefix}.`));

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: plan
      .filter((t) => t.name !== missing)
      .map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
      })),
  });
});

afterAll(async () => {
  await services.stopAll();
  const topics = ours(await admin.listTopics());
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
}, 60_000);

describe('KAFKA_TOPICS=verify', () => {
  it('fails the start naming the missing topic, then starts every service on the planned topics and creates none', async () => {
    // the plan names the repartition topic as the calls pipeline does
    expect(plan.map((t) => t.name)).toContain(callsHopTopic(groupPrefix));

    await services.start('aggregator-early', 'aggregator', env);
    expect(await services.exited('aggregator-early')).toEqual({ code: 1, signal: null });
    const said = services.linesOf('aggregator-early');
    expect(said).toContain(
      `aggregator failed to start: KAFKA_TOPICS is verify and aggregator needs a topic that does not exist: ${missing}`,
    );
    expect(said).toContain('switchboard topics plan');

    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: missing, numPartitions: 2, replicationFactor: 1 }],
    });
    await services.start('ingest', 'ingest', env);
    await services.start('aggregator', 'aggregator', env);
    await services.start('gateway', 'dashboard-gateway', env);
    await Promise.all(['ingest', 'aggregator', 'gateway'].map((s) => services.ready(s)));

    expect(ours(await admin.listTopics()).sort()).toEqual(plan.map((t) => t.name).sort());
    const [status] = (
      await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: `${namespace}.service.status`, configNames: ['cleanup.policy'] }],
      })
    ).resources;
    expect(status.configEntries.map((c) => c.configValue)).toEqual(['compact']);
  }, 240_000);
});
