import { StreamingClient, StreamsError } from '@switchboard/streams';
import { testClient } from '../support/streams';

// Readiness probes ask the client whether Kafka answers: yes on the test broker, a retriable error in
// bounded time where no broker listens.
describe('StreamingClient.checkConnection', () => {
  it('reports the cluster when the broker answers', async () => {
    const client = testClient();
    try {
      await expect(client.checkConnection()).resolves.toMatchObject({ brokers: 1 });
    } finally {
      await client.close();
    }
  });

  it('rejects with a retriable StreamsError, in bounded time, when no broker listens', async () => {
    const client = new StreamingClient({
      brokers: ['127.0.0.1:1'],
      clientId: 'nobody',
      retries: 0,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const t0 = Date.now();
    try {
      await expect(client.checkConnection(1500)).rejects.toBeInstanceOf(StreamsError);
      await expect(client.checkConnection(1500)).rejects.toMatchObject({ retriable: true });
      expect(Date.now() - t0).toBeLessThan(6000);
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});
