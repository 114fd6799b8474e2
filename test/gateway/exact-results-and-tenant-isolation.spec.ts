import {
  insertEnergy,
  insertQueueStats,
  json,
  newTenant,
  type RunningGateway,
  startGateway,
} from './support/gateway-app';

// Two tenants with the same meter and queue ids and different rows: each token sees exactly its tenant's rows,
// energy to the mWh (beyond 2^53, where a float would round), derived metrics from the stored sums.
describe('gateway results: exact, and only the token’s tenant', () => {
  let gw: RunningGateway;
  let a: string;
  let b: string;
  const day = 'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z';

  beforeAll(async () => {
    gw = await startGateway();
    a = await newTenant(gw.pool);
    b = await newTenant(gw.pool);
    // Tenant A: meter m-1 over two quarter hours of one hour, one huge value; meter m-2 only in A.
    await insertEnergy(gw.pool, {
      tenant: a,
      meterId: 'm-1',
      start: '2026-03-01T10:00:00Z',
      mwh: '9007199254740993',
      maxPowerW: 812.5,
    });
    await insertEnergy(gw.pool, { tenant: a, meterId: 'm-1', start: '2026-03-01T10:15:00Z', mwh: '7' });
    await insertEnergy(gw.pool, { tenant: a, meterId: 'm-2', start: '2026-03-01T10:00:00Z', mwh: '1500' });
    // Tenant B: the same meter id, other energy.
    await insertEnergy(gw.pool, { tenant: b, meterId: 'm-1', start: '2026-03-01T10:00:00Z', mwh: '42' });
    // Queue "sales" in both tenants.
    await insertQueueStats(gw.pool, a, 'sales', '2026-03-01T08:00:00Z', {
      offered: 10,
      answered: 6,
      abandoned: 4,
      answered_in_sla: 3,
      abandoned_short: 2,
      answered_wait_ms_sum: 90_000,
      wait_ms_sum: 130_000,
      max_wait_ms: 40_000,
      talk_ms_sum: 600_000,
      talk_count: 4,
      is_final: true,
    });
    await insertQueueStats(gw.pool, a, 'sales', '2026-03-01T08:01:00Z', {
      offered: 2,
      answered: 2,
      answered_in_sla: 2,
      answered_wait_ms_sum: 6_000,
      wait_ms_sum: 6_000,
      max_wait_ms: 5_000,
    });
    await insertQueueStats(gw.pool, b, 'sales', '2026-03-01T08:00:00Z', { offered: 99 });
  });
  afterAll(() => gw.close());

  it('gives a meter’s 15-minute energy as exact strings of mWh and Wh', async () => {
    const res = await gw.get(`/v1/meters/m-1/energy?${day}&interval=15m`, gw.token(a, 'analyst'));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      meterId: 'm-1',
      interval: '15m',
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
      rows: [
        {
          start: '2026-03-01T10:00:00.000Z',
          end: '2026-03-01T10:15:00.000Z',
          timezone: null,
          energyMwh: '9007199254740993',
          energyWh: '9007199254740.993',
          readings: 15,
          maxPowerW: 812.5,
          resets: 0,
          complete: true,
          revision: 0,
        },
        {
          start: '2026-03-01T10:15:00.000Z',
          end: '2026-03-01T10:30:00.000Z',
          timezone: null,
          energyMwh: '7',
          energyWh: '0.007',
          readings: 15,
          maxPowerW: null,
          resets: 0,
          complete: true,
          revision: 0,
        },
      ],
    });
  });

  it('sums hours exactly (incomplete: two of four quarter hours) and defaults to days', async () => {
    const hour = await json(await gw.get(`/v1/meters/m-1/energy?${day}&interval=1h`, gw.token(a, 'analyst')));
    expect(
      hour.rows.map((r: Record<string, unknown>) => [r.start, r.energyMwh, r.energyWh, r.complete, r.timezone]),
    ).toEqual([['2026-03-01T10:00:00.000Z', '9007199254741000', '9007199254741.000', false, 'UTC']]);
    const days = await json(await gw.get(`/v1/meters/m-1/energy?${day}`, gw.token(a, 'analyst')));
    expect(days.interval).toBe('1d');
    expect(days.rows.map((r: Record<string, unknown>) => r.energyMwh)).toEqual(['9007199254741000']);
  });

  it('shows another tenant’s meter as one without data: 200 and no rows, like a meter that does not exist', async () => {
    const other = await gw.get(`/v1/meters/m-2/energy?${day}&interval=15m`, gw.token(b, 'analyst'));
    const missing = await gw.get(`/v1/meters/no-such-meter/energy?${day}&interval=15m`, gw.token(b, 'analyst'));
    expect(other.status).toBe(200);
    expect(missing.status).toBe(200);
    expect((await json(other)).rows).toEqual([]);
    expect((await json(missing)).rows).toEqual([]);
    const own = await json(await gw.get(`/v1/meters/m-1/energy?${day}&interval=15m`, gw.token(b, 'analyst')));
    expect(own.rows.map((r: Record<string, unknown>) => r.energyMwh)).toEqual(['42']);
  });

  it('exports every meter of the token’s tenant, and only those, as a CSV attachment', async () => {
    const res = await gw.get(`/v1/billing/energy.csv?${day}&interval=15m`, gw.token(a, 'analyst'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="energy-gw-[\w.-]+-15m-20260301T000000Z-20260302T000000Z\.csv"$/,
    );
    expect(await res.text()).toBe(
      'meter_id,interval_start,interval_end,timezone,energy_wh,energy_mwh,readings,max_power_w,resets,complete,revision\r\n' +
        'm-1,2026-03-01T10:00:00.000Z,2026-03-01T10:15:00.000Z,,9007199254740.993,9007199254740993,15,812.5,0,true,0\r\n' +
        'm-1,2026-03-01T10:15:00.000Z,2026-03-01T10:30:00.000Z,,0.007,7,15,,0,true,0\r\n' +
        'm-2,2026-03-01T10:00:00.000Z,2026-03-01T10:15:00.000Z,,1.500,1500,15,,0,true,0\r\n',
    );
    const theirs = await (await gw.get(`/v1/billing/energy.csv?${day}&interval=15m`, gw.token(b, 'analyst'))).text();
    expect(theirs.split('\r\n').slice(1)).toEqual([
      'm-1,2026-03-01T10:00:00.000Z,2026-03-01T10:15:00.000Z,,0.042,42,15,,0,true,0',
      '',
    ]);
  });

  it('gives every column of a queue’s windows with metrics derived from the sums, and a total over the range', async () => {
    const res = await gw.get(
      '/v1/queues/sales/stats?from=2026-03-01T08:00:00Z&to=2026-03-01T08:05:00Z',
      gw.token(a, 'supervisor'),
    );
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.rows).toHaveLength(2);
    expect(body.rows[0]).toEqual({
      windowStart: '2026-03-01T08:00:00.000Z',
      windowEnd: '2026-03-01T08:01:00.000Z',
      offered: 10,
      answered: 6,
      abandoned: 4,
      answeredInSla: 3,
      abandonedShort: 2,
      answeredWaitMsSum: 90_000,
      waitMsSum: 130_000,
      maxWaitMs: 40_000,
      talkMsSum: 600_000,
      talkCount: 4,
      isFinal: true,
      version: 1,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // 90 000 / 6; 600 000 / 4; 3 / (6 + 4 − 2); 4 / 10
      asaMs: 15_000,
      averageCallDurationMs: 150_000,
      serviceLevel: 0.375,
      abandonRate: 0.4,
    });
    expect(body.rows[1]).toMatchObject({
      maxWaitMs: 5_000,
      isFinal: false,
      asaMs: 3_000,
      averageCallDurationMs: null,
      serviceLevel: 1,
      abandonRate: 0,
    });
    // Sums first: ASA 96 000 / 8 = 12 000; SL 5 / (8 + 4 − 2) = 0.5; abandon 4 / 12.
    expect(body.total).toEqual({
      offered: 12,
      answered: 8,
      abandoned: 4,
      answeredInSla: 5,
      abandonedShort: 2,
      answeredWaitMsSum: 96_000,
      waitMsSum: 136_000,
      maxWaitMs: 40_000,
      talkMsSum: 600_000,
      talkCount: 4,
      asaMs: 12_000,
      averageCallDurationMs: 150_000,
      serviceLevel: 0.5,
      abandonRate: 4 / 12,
    });
  });

  it('shows the same queue id of another tenant with that tenant’s rows only', async () => {
    const body = await json(
      await gw.get('/v1/queues/sales/stats?from=2026-03-01T08:00:00Z&to=2026-03-01T08:05:00Z', gw.token(b, 'analyst')),
    );
    expect(body.rows.map((r: Record<string, unknown>) => r.offered)).toEqual([99]);
    const none = await json(
      await gw.get(
        '/v1/queues/support/stats?from=2026-03-01T08:00:00Z&to=2026-03-01T08:05:00Z',
        gw.token(b, 'analyst'),
      ),
    );
    expect(none.rows).toEqual([]);
    expect(none.total).toMatchObject({ offered: 0, maxWaitMs: null, asaMs: null, serviceLevel: null });
  });
});
