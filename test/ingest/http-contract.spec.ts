import { json, type RunningIngest, startIngest } from './support/ingest-app';
import { RecordingPublisher } from './support/recording-publisher';

// The HTTP contract of PRODUCT.md "Ingest HTTP API" on the real app and the real Postgres; the Kafka side
// is a recording port here (the broker-backed specs prove what lands in Kafka).
describe('ingest HTTP contract', () => {
  const publisher = new RecordingPublisher();
  let ingest: RunningIngest;

  beforeAll(async () => {
    ingest = await startIngest(publisher);
  });
  afterAll(() => ingest.close());
  beforeEach(() => {
    publisher.records.length = 0;
    publisher.unavailable = false;
  });

  const now = () => Date.now();

  it('accepts a JSON array and routes each event to its stream', async () => {
    const { tenant, key } = await ingest.newTenant();
    const res = await ingest.post(
      '/v1/events',
      key,
      JSON.stringify([
        { type: 'call.started', ts: now(), callId: 'c1', queue: 'sales' },
        { type: 'meter.reading', ts: new Date().toISOString(), meterId: 'm1', energyWh: 12.5 },
      ]),
    );
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ accepted: 2, rejected: [] });
    expect(publisher.records.map((r) => [r.topic, r.streamId, r.kind])).toEqual([
      ['events.calls', `${tenant}/c1`, 'event'],
      ['events.meters', `${tenant}/m1`, 'timeseries'],
    ]);
  });

  it('accepts NDJSON; an unparseable line is rejected by index, the rest kept', async () => {
    const { key } = await ingest.newTenant();
    const body = [
      JSON.stringify({ type: 'agent.status', ts: now(), agentId: 'a1', status: 'available' }),
      '',
      '{not json',
      JSON.stringify({ type: 'call.ended', ts: now(), callId: 'c1' }),
    ].join('\n');
    const res = await ingest.post('/v1/events', key, body, 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ accepted: 2, rejected: [{ index: 1, error: 'line is not valid JSON' }] });
  });

  it('keeps the valid items of a mixed batch and reports each invalid one by index', async () => {
    const { key } = await ingest.newTenant();
    const res = await ingest.post(
      '/v1/events',
      key,
      JSON.stringify([
        { type: 'call.started', ts: now(), callId: 'ok', queue: 'q' },
        { type: 'call.teleported', ts: now() },
        { type: 'meter.reading', ts: now(), meterId: 'm', energyWh: -3 },
        { type: 'call.answered', ts: now() - 8 * 86_400_000, callId: 'c', agentId: 'a' },
        { type: 'agent.status', ts: now(), agentId: 'a1', status: 'busy', tenant: 'someone-else' },
      ]),
    );
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3]);
    expect(body.rejected[0].error).toMatch(/unknown type "call.teleported"/);
    expect(body.rejected[1].error).toMatch(/energyWh must be ≥ 0/);
    expect(body.rejected[2].error).toMatch(/in the past/);
    expect(publisher.records).toHaveLength(2);
  });

  it('answers 401 without, with a malformed, an unknown or a revoked key, and writes nothing', async () => {
    const { key, keyId } = await ingest.newTenant();
    const body = JSON.stringify([{ type: 'call.ended', ts: now(), callId: 'c' }]);
    await ingest.keys.revoke(keyId);
    const foreign = `sbk_0123456789abcdef_${'A'.repeat(43)}`;
    for (const k of [undefined, 'not-a-key', foreign, key]) {
      const res = await ingest.post('/v1/events', k, body);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const err = await json(res);
      expect(Object.keys(err).sort()).toEqual(['error', 'message']);
      expect(err.error).toBe('unauthorized');
    }
    expect(publisher.records).toHaveLength(0);
  });

  it('answers 400 for a body that is not parseable at all', async () => {
    const { key } = await ingest.newTenant();
    for (const [body, type] of [
      ['{"type":', 'application/json'],
      ['{"type":"call.ended"}', 'application/json'],
      ['', 'application/json'],
      ['nope\nnever', 'application/x-ndjson'],
    ]) {
      const res = await ingest.post('/v1/events', key, body, type);
      expect(res.status).toBe(400);
      expect((await json(res)).error).toBe('bad_request');
    }
  });

  it('answers 413 over 5 MiB and over 10,000 events, accepting nothing', async () => {
    const { key } = await ingest.newTenant();
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0x20);
    const res = await ingest.post('/v1/events', key, big);
    expect(res.status).toBe(413);
    expect((await json(res)).error).toBe('payload_too_large');

    const event = { type: 'call.ended', ts: now(), callId: 'c' };
    const many = await ingest.post('/v1/events', key, JSON.stringify(Array.from({ length: 10_001 }, () => event)));
    expect(many.status).toBe(413);
    expect((await json(many)).error).toBe('too_many_events');
    const ndjson = Array.from({ length: 10_001 }, () => JSON.stringify(event)).join('\n');
    expect((await ingest.post('/v1/events', key, ndjson, 'application/x-ndjson')).status).toBe(413);
    expect(publisher.records).toHaveLength(0);

    const exactly = await ingest.post('/v1/events', key, JSON.stringify(Array.from({ length: 10_000 }, () => event)));
    expect(exactly.status).toBe(202);
  });

  it('answers 503 with Retry-After when Kafka cannot take the events', async () => {
    const { key } = await ingest.newTenant();
    publisher.unavailable = true;
    const res = await ingest.post('/v1/events', key, JSON.stringify([{ type: 'call.ended', ts: now(), callId: 'c' }]));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(ingest.config.publish.retryAfterSeconds));
    expect((await json(res)).error).toBe('unavailable');
  });

  it('sets meter and queue properties, validating the body', async () => {
    const { tenant, key } = await ingest.newTenant();
    const meter = await ingest.post(
      '/v1/meters/m-7',
      key,
      JSON.stringify({ name: 'Meter 7', site: 'site-3', timezone: 'Europe/London' }),
    );
    expect(meter.status).toBe(200);
    const queue = await ingest.post('/v1/queues/sales', key, JSON.stringify({ slaSeconds: 30 }));
    expect(queue.status).toBe(200);
    expect(publisher.properties.slice(-2)).toEqual([
      { kind: 'meter', tenant, id: 'm-7', props: { name: 'Meter 7', site: 'site-3', timezone: 'Europe/London' } },
      { kind: 'queue', tenant, id: 'sales', props: { slaSeconds: 30 } },
    ]);
    expect((await ingest.post('/v1/meters/m-7', key, JSON.stringify({ timezone: 'Mars/Olympus' }))).status).toBe(400);
    expect((await ingest.post('/v1/queues/sales', key, JSON.stringify({ slaSeconds: 0 }))).status).toBe(400);
    expect((await ingest.post('/v1/queues/a%2Fb', key, '{}')).status).toBe(400);
    expect((await ingest.post('/v1/queues/sales', undefined, '{}')).status).toBe(401);
  });

  it('serves OpenAPI at /docs, liveness, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${ingest.url}/docs`)).status).toBe(200);
    const doc = await json(await fetch(`${ingest.url}/docs-json`));
    expect(doc.paths['/v1/events'].post).toBeDefined();
    expect(doc.components.schemas['meter.reading']).toBeDefined();
    expect(await json(await fetch(`${ingest.url}/health/live`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${ingest.url}/health/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toContain('ingest_events_accepted_total');
    expect(metrics).toContain('ingest_http_requests_total{route="/v1/events",status="202"}');
  });

  it('answers unknown routes with a JSON 404, never a stack trace', async () => {
    const res = await fetch(`${ingest.url}/v1/nothing`);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toBe('not_found');
  });
});
