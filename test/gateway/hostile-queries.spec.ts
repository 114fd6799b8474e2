import { json, newTenant, type RunningGateway, startGateway } from './support/gateway-app';

// Bad query parameters are 400 with the billing library's codes and one sentence that never repeats the input;
// over-long request targets are refused before anything reads them.
describe('gateway query validation', () => {
  let gw: RunningGateway;
  let token: string;

  beforeAll(async () => {
    gw = await startGateway();
    token = gw.token(await newTenant(gw.pool), 'analyst');
  });
  afterAll(() => gw.close());

  const energy = '/v1/meters/m-1/energy';
  const csv = '/v1/billing/energy.csv';
  const stats = '/v1/queues/sales/stats';

  it.each([
    [energy, 'from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'invalid_range', 'from must be before to'],
    [csv, 'from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'invalid_range', 'from must be before to'],
    [stats, 'from=2026-03-01T09:00:00Z&to=2026-03-01T08:00:00Z', 'invalid_range', 'from must be before to'],
    [energy, 'from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&interval=15m', 'range_too_long', 'at most 32 days'],
    [csv, 'from=2025-01-01T00:00:00Z&to=2026-03-01T00:00:00Z', 'range_too_long', 'at most 367 days'],
    [stats, 'from=2026-03-01T00:00:00Z&to=2026-03-09T00:00:00Z', 'range_too_long', 'at most 7 days'],
    [energy, 'from=2026-03-01T00:07:00Z&to=2026-03-02T00:00:00Z&interval=15m', 'unaligned_range', 'whole quarter hour'],
    [csv, 'from=2026-03-01T00:00:00Z&to=2026-03-01T10:30:00Z&interval=1h', 'unaligned_range', 'whole hour'],
    [stats, 'from=2026-03-01T08:00:30Z&to=2026-03-01T09:00:00Z', 'unaligned_range', 'whole minute'],
    [
      energy,
      'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&interval=5m',
      'invalid_interval',
      'interval must be 15m, 1h or 1d',
    ],
    [
      csv,
      'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&interval=1h&interval=1d',
      'invalid_interval',
      'interval must be',
    ],
    [energy, 'from=yesterday&to=2026-03-02T00:00:00Z', 'invalid_time', 'from must be epoch milliseconds'],
    [stats, 'to=2026-03-01T09:00:00Z', 'invalid_time', 'from must be epoch milliseconds'],
    [stats, 'from=1&from=2&to=2026-03-01T09:00:00Z', 'invalid_time', 'from must be epoch milliseconds'],
    [csv, `from=${'9'.repeat(400)}&to=1`, 'invalid_time', 'from must be epoch milliseconds'],
    [
      energy,
      'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&tenant=someone-else',
      'unknown_parameter',
      'unknown query parameter',
    ],
    [stats, 'from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z&interval=1d', 'unknown_parameter', 'takes from, to'],
    [
      '/v1/meters/m%2F1/energy',
      'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z',
      'invalid_id',
      'meter id must be 1–64',
    ],
    [
      `/v1/queues/${'q'.repeat(65)}/stats`,
      'from=2026-03-01T08:00:00Z&to=2026-03-01T09:00:00Z',
      'invalid_id',
      'queue must be 1–64',
    ],
  ])('%s?%s → 400 %s', async (path, query, code, message) => {
    const res = await gw.get(`${path}?${query}`, token);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body).toEqual({ error: code, message: expect.stringContaining(message) });
    expect(body.message).not.toMatch(/yesterday|someone-else|9{20}|m\/1|q{65}/);
  });

  it.each([energy, csv, stats])('refuses a 10 KB query string on %s with 414 JSON', async (path) => {
    const res = await gw.get(
      `${path}?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&pad=${'x'.repeat(10_240)}`,
      token,
    );
    expect(res.status).toBe(414);
    expect(await json(res)).toEqual({ error: 'uri_too_long', message: expect.stringContaining('2048') });
  });

  it('answers an unknown path with 404 JSON, not an HTML page', async () => {
    const res = await gw.get('/v1/nothing-here', token);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: 'not_found', message: expect.any(String) });
  });
});
