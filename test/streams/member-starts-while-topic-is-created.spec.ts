import { Kafka, logLevel } from 'kafkajs';
import { kafkajsPort } from '../../libs/streams/src/kafka';
import { testEnv, uniqueName } from '../support/env';

// Two replicas start together: one creates a topic, the other subscribes to it a moment later, before the broker has
// settled the new topic's leaders. kafkajs refuses that subscribe ("This server does not host this topic-partition")
// without retrying it; the member must wait the moment out instead of failing its start (the compose demo's second
// aggregator did, in CI).
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('a group member starting while its topic is being created', () => {
  const admin = new Kafka({ brokers: testEnv.brokers, clientId: 'creator', logLevel: logLevel.NOTHING }).admin();
  const port = kafkajsPort({ brokers: testEnv.brokers, clientId: 'replica', logger: quiet });
  const topics: string[] = [];

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await port.sender.close();
    await port.admin.close();
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  it('starts, and reads what is then written to the topic', async () => {
    for (let i = 0; i < 5; i++) {
      const topic = uniqueName('settling');
      topics.push(topic);
      const created = admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: false });
      const seen: string[] = [];
      const member = port.groupMember(
        {
          topic,
          groupId: uniqueName('replica'),
          fromBeginning: true,
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 1000,
          partitionsConsumedConcurrently: 1,
        },
        {
          onBatch: async (_partition, messages, ctx) => {
            for (const m of messages) {
              seen.push(String(m.value));
              ctx.done(m.offset);
            }
          },
        },
      );
      await member.start();
      await created;
      await port.sender.send([{ topic, messages: [{ key: 'k', value: Buffer.from(`m${i}`), headers: {} }] }]);
      const deadline = Date.now() + 30_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await member.close();
      expect(seen).toEqual([`m${i}`]);
    }
  }, 120_000);
});
