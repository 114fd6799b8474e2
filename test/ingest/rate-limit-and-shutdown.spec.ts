import { json, type RunningIngest, startIngest } from './support/ingest-app';
import { RecordingPublisher } from './support/recording-publisher';

describe('per-tenant rate limit', () => {
  let ingest: RunningIngest;

  beforeAll(async () => {
    ingest = await startIngest(new RecordingPublisher(), { INGEST_RATE_LIMIT: '3', INGEST_RATE_WINDOW_MS: '60000' });
  });
  afterAll(() => ingest.close());

  it("answers 429 with Retry-After over the tenant's rate; another tenant is unaffected", async () => {
    const a = await ingest.newTenant();
    const b = await ingest.newTenant();
    const send = (key: string) => ingest.post('/v1/events', key, '[]');
    for (let i = 0; i < 3; i++) expect((await send(a.key)).status).toBe(202);
    const limited = await send(a.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await json(limited)).toEqual({ error: 'rate_limited', message: expect.any(String) });
    expect((await send(b.key)).status).toBe(202);
  });
});

/** Holds every publish until released, to have a request in flight during shutdown. */
class SlowPublisher extends RecordingPublisher {
  override async publish(...args: Parameters<RecordingPublisher['publish']>): Promise<void> {
    await new Promise((r) => setTimeout(r, 800));
    return super.publish(...args);
  }
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests (202 after Kafka acked) before the app closes', async () => {
    const publisher = new SlowPublisher();
    const ingest = await startIngest(publisher);
    const { key } = await ingest.newTenant();
    const inFlight = ingest.post(
      '/v1/events',
      key,
      JSON.stringify([{ type: 'call.ended', ts: Date.now(), callId: 'c' }]),
    );
    await new Promise((r) => setTimeout(r, 200));
    const closing = ingest.close();
    const res = await inFlight;
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ accepted: 1, rejected: [] });
    await closing;
    expect(publisher.records).toHaveLength(1);
  });
});
