import { generateApiKey } from '@switchboard/domain';
import { freePort } from '../support/npm-start';
import { json, type RunningIngest, startIngest } from './support/ingest-app';
import { RecordingPublisher } from './support/recording-publisher';

// Ingest's answers go to anyone on the network (/health/ready takes no key; a 503 reaches any caller): a database
// error names hosts, ports, users and tables. Those go to the log; the answers say what is down and what to do.
describe('ingest with its database away', () => {
  let ingest: RunningIngest;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    ingest = await startIngest(new RecordingPublisher(), {
      DATABASE_URL: `postgres://secret_user@127.0.0.1:${port}/private_db`,
    });
  });
  afterAll(() => ingest.close());

  const internals = (text: string) =>
    [String(port), '127.0.0.1', 'ECONNREFUSED', 'secret_user', 'private_db'].filter((s) => text.includes(s));

  it('says in /health/ready that postgres does not answer, without the error itself', async () => {
    const res = await fetch(`${ingest.url}/health/ready`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text).error.postgres).toEqual({
      status: 'down',
      message: "postgres does not answer; the cause is in this instance's log",
    });
    expect(internals(text)).toEqual([]);
  });

  it('answers a request whose key cannot be checked 503 with Retry-After and a plain sentence', async () => {
    const res = await ingest.post('/v1/events', generateApiKey().key, '[]');
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await json(res);
    expect(body).toEqual({ error: 'unavailable', message: 'cannot check the API key right now; retry later' });
    expect(internals(JSON.stringify(body))).toEqual([]);
  });
});
