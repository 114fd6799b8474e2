import { createServer } from 'node:net';
import { json, type RunningIngest, startIngest } from './support/ingest-app';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

// The real streams publisher pointed at a port where no broker listens: Kafka "stopped".
describe('Kafka unavailable', () => {
  let ingest: RunningIngest;

  beforeAll(async () => {
    ingest = await startIngest(undefined, {
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      INGEST_PUBLISH_TIMEOUT_MS: '1500',
      INGEST_RETRY_AFTER_SECONDS: '7',
    });
  });
  afterAll(() => ingest.close());

  it('answers 503 with Retry-After within the bound, accepting nothing', async () => {
    const { key } = await ingest.newTenant();
    const started = Date.now();
    const res = await ingest.post(
      '/v1/events',
      key,
      JSON.stringify([{ type: 'call.ended', ts: Date.now(), callId: 'c' }]),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await json(res)).toEqual({
      error: 'unavailable',
      message: expect.stringMatching(/nothing of this request was accepted/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const put = await ingest.post('/v1/queues/q', key, '{"slaSeconds":10}');
    expect(put.status).toBe(503);
  });

  it('is not ready, while still live', async () => {
    expect((await fetch(`${ingest.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${ingest.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).details.kafka.status).toBe('down');
  });
});
