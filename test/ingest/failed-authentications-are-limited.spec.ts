import { generateApiKey } from '@switchboard/domain';
import { json, type RunningIngest, startIngest } from './support/ingest-app';
import { RecordingPublisher } from './support/recording-publisher';

// Every unknown key costs a Postgres lookup before the tenant's rate limit can apply: a client guessing keys would
// spend the pool real tenants need. After a few failures its address is refused before any lookup, while a key
// already trusted from the cache keeps working from the same address (a NAT shared with a misconfigured sender).
describe('failed authentications per client address', () => {
  let ingest: RunningIngest;

  beforeAll(async () => {
    ingest = await startIngest(new RecordingPublisher(), {
      INGEST_API_KEY_CACHE_MS: '60000',
      INGEST_FAILED_AUTH_LIMIT: '3',
      INGEST_FAILED_AUTH_WINDOW_MS: '60000',
      INGEST_FAILED_AUTH_BLOCK_MS: '60000',
    });
  });
  afterAll(() => ingest.close());

  it('answers 429 before any lookup once the address failed too often; a cached key still passes', async () => {
    const send = (key: string | undefined) => ingest.post('/v1/events', key, '[]');
    const trusted = await ingest.newTenant();
    expect((await send(trusted.key)).status).toBe(202); // now in the cache
    const later = await ingest.newTenant(); // valid, never seen by this ingest

    for (let i = 0; i < 2; i++) expect((await send(generateApiKey().key)).status).toBe(401);
    expect((await send(undefined)).status).toBe(401); // the third failure: no key at all

    const refused = await send(generateApiKey().key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await json(refused)).toEqual({
      error: 'too_many_failed_authentications',
      message: expect.stringContaining('invalid API key from this address'),
    });
    // A valid key that would need a lookup waits too; the cached one does not.
    expect((await send(later.key)).status).toBe(429);
    expect((await send(trusted.key)).status).toBe(202);
  });
});
