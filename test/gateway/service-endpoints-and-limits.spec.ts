import { insertEnergy, json, newTenant, type RunningGateway, startGateway } from './support/gateway-app';

// Health, metrics and OpenAPI, and the two limits of one token: its request rate and the size of an export.
describe('gateway service endpoints and limits', () => {
  let gw: RunningGateway;
  let tenant: string;

  beforeAll(async () => {
    gw = await startGateway({ DASHBOARD_GATEWAY_RATE_LIMIT: '3', DASHBOARD_GATEWAY_MAX_CSV_ROWS: '2' });
    tenant = await newTenant(gw.pool);
    for (const start of ['2026-03-01T00:00:00Z', '2026-03-01T00:15:00Z', '2026-03-01T00:30:00Z']) {
      await insertEnergy(gw.pool, { tenant, meterId: 'm-1', start, mwh: '1' });
    }
  });
  afterAll(() => gw.close());

  it('answers /health/live and /health/ready (Postgres reachable, live feed running) without a token', async () => {
    expect(await json(await gw.get('/health/live'))).toEqual({ status: 'ok' });
    const ready = await gw.get('/health/ready');
    expect(ready.status).toBe(200);
    expect((await json(ready)).info).toEqual({
      instance: { status: 'up' },
      postgres: { status: 'up' },
      live: { status: 'up' },
    });
  });

  it('documents the three endpoints at /docs-json and serves /docs', async () => {
    const doc = await json(await gw.get('/docs-json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/meters/{meterId}/energy', '/v1/queues/{queue}/stats', '/v1/billing/energy.csv']),
    );
    expect(doc.components.securitySchemes.bearer).toBeDefined();
    expect((await gw.get('/docs')).status).toBe(200);
  });

  it('refuses an export larger than the row limit with 413, and serves one within it', async () => {
    const token = gw.token(tenant, 'analyst');
    const big = await gw.get(
      '/v1/billing/energy.csv?from=2026-03-01T00:00:00Z&to=2026-03-01T01:00:00Z&interval=15m',
      token,
    );
    expect(big.status).toBe(413);
    expect(await json(big)).toEqual({
      error: 'response_too_large',
      message: expect.stringContaining('split the range'),
    });
    const fits = await gw.get(
      '/v1/billing/energy.csv?from=2026-03-01T00:00:00Z&to=2026-03-01T00:30:00Z&interval=15m',
      gw.token(tenant, 'analyst', { ttlSeconds: 1800 }),
    );
    expect(fits.status).toBe(200);
  });

  it('limits requests per token (429 JSON with Retry-After), not per tenant', async () => {
    const path = '/v1/queues/sales/stats?from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z';
    const first = gw.token(tenant, 'supervisor', { ttlSeconds: 600 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await gw.get(path, first)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await gw.get(path, first);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await json(limited)).toEqual({ error: 'rate_limited', message: expect.stringContaining('this token') });
    expect((await gw.get(path, gw.token(tenant, 'supervisor', { ttlSeconds: 601 }))).status).toBe(200);
  });

  it('counts requests by route on /metrics', async () => {
    const text = await (await gw.get('/metrics')).text();
    expect(text).toMatch(
      /dashboard_gateway_http_requests_total\{route="\/v1\/queues\/:queue\/stats",status="429"\} \d+/,
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
