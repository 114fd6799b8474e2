import { StreamingClient, StreamsTopicMissingError } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';

// topics: 'verify' — a cluster that forbids clients to create topics: every path that would create one (a producer,
// the status publisher, ensureTopics) checks instead and fails naming the topic; an existing topic serves as usual.

describe("StreamingClient with topics: 'verify'", () => {
  const admin = new Kafka({
    brokers: testEnv.brokers,
    clientId: uniqueName('verify-admin'),
    logLevel: logLevel.NOTHING,
  }).admin();
  const topic = uniqueName('verify-topic');
  const client = new StreamingClient({ brokers: testEnv.brokers, clientId: uniqueName('verify'), topics: 'verify' });

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await client.close();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('refuses to create a missing topic, naming it, and publishes to it once it exists', async () => {
    const refused = await client.getTopicProducer(topic).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(StreamsTopicMissingError);
    expect(refused).toMatchObject({ retriable: false, context: { topic } });
    expect((refused as Error).message).toContain(`topic "${topic}" does not exist`);
    await expect(client.ensureTopics([topic])).rejects.toBeInstanceOf(StreamsTopicMissingError);
    expect(await admin.listTopics()).not.toContain(topic);

    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    const producer = await client.getTopicProducer(topic);
    producer.getOrCreateStream('s-1').events.addTimestamp(Date.now()).addValue('e', 'v').publish();
    await producer.flush();
    expect((await admin.fetchTopicOffsets(topic))[0].high).toBe('1');
  });
});
