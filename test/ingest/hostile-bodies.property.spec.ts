import fc from 'fast-check';
import { json, type RunningIngest, startIngest } from './support/ingest-app';

// Random and hostile requests against the real app (real Postgres, real broker): whatever arrives, the
// answer is a JSON {error, message} or a 202, never a 5xx other than 503, and the process keeps serving.
describe('hostile bodies (fast-check)', () => {
  let ingest: RunningIngest;
  let own: { tenant: string; key: string };
  let other: { tenant: string; key: string };

  beforeAll(async () => {
    ingest = await startIngest(undefined, { INGEST_MAX_BODY_BYTES: String(256 * 1024), INGEST_MAX_EVENTS: '200' });
    own = await ingest.newTenant();
    other = await ingest.newTenant();
  });
  afterAll(() => ingest.close());

  const now = Date.now();
  const id = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/), fc.string(), fc.constant('a/b'), fc.constant(''));
  const ts = fc.oneof(
    fc.integer({ min: now - 8 * 86_400_000, max: now + 600_000 }),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.double(),
    fc.string(),
  );
  const event = fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('call.started', 'call.answered', 'call.ended', 'agent.status', 'meter.reading'),
        fc.string(),
      ),
      ts,
      id,
      callId: id,
      queue: id,
      agentId: id,
      meterId: id,
      status: fc.oneof(fc.constantFrom('available', 'busy', 'wrap_up', 'break', 'offline'), fc.string()),
      energyWh: fc.oneof(fc.double(), fc.integer({ min: 0, max: 1e9 }), fc.constant(-1)),
      powerW: fc.oneof(fc.double(), fc.string()),
      tenant: fc.constant('someone-else'),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.array(event, { maxLength: 30 }).map((a) => ({ text: JSON.stringify(a), type: 'application/json' })),
    fc
      .array(
        fc.oneof(
          event.map((e) => JSON.stringify(e)),
          fc.string(),
        ),
        { maxLength: 30 },
      )
      .map((l) => ({ text: l.join('\n'), type: 'application/x-ndjson' })),
    fc.jsonValue().map((v) => ({ text: JSON.stringify(v) ?? '', type: 'application/json' })),
    fc
      .tuple(fc.string({ maxLength: 2000 }), fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain'))
      .map(([text, type]) => ({ text, type })),
    fc.constant({ text: '['.repeat(100_000), type: 'application/json' }),
    fc.constant({
      text: `[{"__proto__":{"polluted":true},"constructor":{},"type":"call.ended","ts":${now},"callId":"c"}]`,
      type: 'application/json',
    }),
    fc.constant({
      text: JSON.stringify(Array.from({ length: 201 }, () => ({ type: 'call.ended', ts: now, callId: 'c' }))),
      type: 'application/json',
    }),
    fc.constant({ text: 'x'.repeat(300 * 1024), type: 'application/json' }),
  );
  const auth = fc.constantFrom<'own' | 'other' | 'none' | 'garbage'>('own', 'own', 'own', 'other', 'none', 'garbage');
  const path = fc.constantFrom(
    '/v1/events',
    '/v1/events',
    '/v1/events',
    '/v1/meters/m1',
    '/v1/queues/q1',
    '/v1/meters/a%2Fb',
  );

  it('never answers a 5xx other than 503 and never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(body, auth, path, async (b, who, p) => {
        const key = who === 'own' ? own.key : who === 'other' ? other.key : who === 'garbage' ? 'sbk_zz' : undefined;
        const res = await ingest.post(p, key, b.text, b.type);
        expect(res.status === 503 || res.status < 500).toBe(true);
        const answer = await json(res);
        if (res.status >= 400) {
          expect(Object.keys(answer).sort()).toEqual(['error', 'message']);
          expect(JSON.stringify(answer)).not.toMatch(/\bat .+\.(ts|js):\d+/);
        }
        if (res.status === 202) expect(answer.accepted + answer.rejected.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 150 },
    );
    expect((await fetch(`${ingest.url}/health/live`)).status).toBe(200);
  });
});
