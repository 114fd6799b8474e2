import { json, newTenant, type RunningGateway, startGateway } from './support/gateway-app';

// The dashboards' own reads (alert thresholds, a meter's data-quality events): the tenant's own figures to its
// supervisor and analyst tokens, nothing of another tenant's, and JSON errors `{error, message}` for hostile input.
describe('dashboard reads', () => {
  let gw: RunningGateway;
  let tenant: string;
  let other: string;

  beforeAll(async () => {
    gw = await startGateway({}, { waitForLive: false });
    tenant = await newTenant(gw.pool);
    other = await newTenant(gw.pool);
    await gw.pool.query(
      `INSERT INTO alert_settings (tenant, rule, threshold, enabled) VALUES ($1, 'queue_service_level_low', 0.9, true),
         ($1, 'meter_silent', 600, false)`,
      [tenant],
    );
    await gw.pool.query(
      `INSERT INTO data_quality_events (tenant, kind, entity_type, entity_id, event_ts, detail, recorded_at) VALUES
         ($1, 'invalid_reading', 'meter', 'm-1', '2026-03-01T10:00:00Z', '{"reason":"negative power"}', '2026-03-01T10:00:05Z'),
         ($1, 'late_reading', 'meter', 'm-1', NULL, '{}', '2026-03-01T11:00:00Z'),
         ($1, 'late_reading', 'meter', 'm-2', NULL, '{}', '2026-03-01T11:00:00Z'),
         ($1, 'late_reading', 'meter', 'm-1', NULL, '{}', '2026-03-05T11:00:00Z'),
         ($2, 'late_reading', 'meter', 'm-1', NULL, '{"theirs":true}', '2026-03-01T11:30:00Z')`,
      [tenant, other],
    );
  });
  afterAll(async () => {
    for (const table of ['alert_settings', 'data_quality_events', 'tenants'])
      await gw.pool.query(`DELETE FROM ${table} WHERE tenant = ANY($1)`, [[tenant, other]]);
    await gw.close();
  });

  const quality = '/v1/meters/m-1/data-quality?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z';

  it("answers the tenant's thresholds (its own, else the default) and nothing of another tenant's", async () => {
    for (const role of ['supervisor', 'analyst'] as const) {
      const res = await gw.get('/v1/alerts/thresholds', gw.token(tenant, role));
      expect(res.status).toBe(200);
      const body = await json(res);
      const byRule = Object.fromEntries(body.rules.map((r: { rule: string }) => [r.rule, r]));
      expect(byRule.queue_service_level_low).toEqual({
        rule: 'queue_service_level_low',
        threshold: 0.9,
        unit: 'fraction',
        enabled: true,
        source: 'tenant',
      });
      expect(byRule.meter_silent).toMatchObject({ threshold: 600, enabled: false, source: 'tenant' });
      expect(byRule.queue_longest_wait_high).toMatchObject({ threshold: 120, source: 'default' });
    }
    const theirs = await json(await gw.get('/v1/alerts/thresholds', gw.token(other, 'supervisor')));
    expect(theirs.rules.every((r: { source: string }) => r.source === 'default')).toBe(true);
  });

  it("answers a meter's events of the range, newest first; another tenant's token sees none of them", async () => {
    const res = await gw.get(quality, gw.token(tenant, 'analyst'));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      meterId: 'm-1',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
      events: [
        { kind: 'late_reading', eventTs: null, recordedAt: '2026-03-01T11:00:00.000Z', detail: {} },
        {
          kind: 'invalid_reading',
          eventTs: '2026-03-01T10:00:00.000Z',
          recordedAt: '2026-03-01T10:00:05.000Z',
          detail: { reason: 'negative power' },
        },
      ],
    });
    expect((await gw.get(quality, gw.token(other, 'supervisor'))).status).toBe(403); // energy data: analysts only
    const theirs = await json(await gw.get(quality, gw.token(other, 'analyst')));
    expect(theirs.events).toEqual([
      { kind: 'late_reading', eventTs: null, recordedAt: '2026-03-01T11:30:00.000Z', detail: { theirs: true } },
    ]);
    const stranger = await json(await gw.get(quality, gw.token(await newTenant(gw.pool), 'analyst')));
    expect(stranger.events).toEqual([]);
  });

  it.each([
    [quality.replace('from=2026-03-01T00:00:00Z', 'from=yesterday'), 400, 'invalid_time', 'from must be epoch'],
    [quality.replace('&to=2026-03-02T00:00:00Z', ''), 400, 'invalid_time', 'to must be epoch'],
    [quality.replace('to=2026-03-02', 'to=2026-02-02'), 400, 'invalid_range', 'from must be before to'],
    [quality.replace('to=2026-03-02', 'to=2026-03-12'), 400, 'range_too_long', 'at most 7 days'],
    [`${quality}&from=1`, 400, 'invalid_time', 'from must be epoch'],
    [`${quality}&tenant=someone-else`, 400, 'unknown_parameter', 'takes from, to'],
    [quality.replace('m-1', 'm%2F1'), 400, 'invalid_id', 'meter id must be 1–64'],
    [quality.replace('m-1', 'm'.repeat(65)), 400, 'invalid_id', 'meter id must be 1–64'],
    [quality.replace('2026-03-01T00:00:00Z', '9'.repeat(16)), 400, 'invalid_time', 'from must be epoch'],
    ['/v1/alerts/thresholds?rule=meter_silent', 400, 'unknown_parameter', 'takes none'],
  ])('refuses %s with %i %s', async (path, status, error, message) => {
    const res = await gw.get(path, gw.token(tenant, 'analyst'));
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await json(res);
    expect(body.error).toBe(error);
    expect(body.message).toContain(message);
  });

  it('wants a token of a role that reads tenant data', async () => {
    for (const path of [quality, '/v1/alerts/thresholds']) {
      const none = await gw.get(path);
      expect(none.status).toBe(401);
      expect(await json(none)).toMatchObject({ error: 'unauthorized' });
      const operator = await gw.get(path, gw.token(tenant, 'operator'));
      expect(operator.status).toBe(403);
      expect(await json(operator)).toMatchObject({ error: 'forbidden' });
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = await json(await gw.get('/docs-json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/alerts/thresholds', '/v1/meters/{meterId}/data-quality']),
    );
  });
});
