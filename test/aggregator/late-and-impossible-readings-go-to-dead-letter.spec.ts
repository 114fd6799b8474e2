import { loadAggregatorConfig } from '../../apps/aggregator/src/config';
import { eventually } from '../support/wait';
import { AggregatorFixture } from './energy-fixtures';

// A reading beyond the restatement horizon and an impossible one, straight onto the topic (ingest would refuse the
// first): each becomes a data_quality_events row AND a record on `<topic>.dlq` whose provenance headers name the
// message it came from (its real partition and offset) and whose value is the refused reading. The aggregator goes
// on: the valid reading after them counts. The horizon comes from the aggregator's configuration with ingest's
// accepted past and future set to 0, so it is just the grace (a reading within the default horizon restates).
const Q = 15 * 60_000;
const { restateForMs } = loadAggregatorConfig({
  ...process.env,
  AGGREGATOR_GRACE_MS: '10000',
  INGEST_MAX_PAST_MS: '0',
  INGEST_MAX_FUTURE_MS: '0',
});

describe('late and impossible readings go to the dead-letter topic', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('records each in data_quality_events and on the DLQ with its source offset, and keeps counting', async () => {
    const w0 = Math.floor(Date.now() / Q) * Q - 3 * Q;
    const landed = await fx.sendReadings('m1', [
      [[w0 + 60_000, 100]],
      [[w0 + Q + 20_000, 101]], // stream time passes w0's end + 10 s grace + 10 s horizon: w0 is gone
      [[w0 + 5_000, 99]], // beyond the horizon
      [[w0 + Q + 40_000, -5]], // impossible
      [[w0 + Q + 60_000, 102.5]], // valid, after both
    ]);

    await fx.startEnergy({ restateForMs });

    await eventually(
      async () => {
        const r = await fx.pool.query(
          'SELECT window_start, energy_mwh, readings FROM meter_energy_15m WHERE tenant = $1 ORDER BY window_start',
          [fx.tenant],
        );
        expect(r.rows.map((row) => [row.window_start.getTime() - w0, Number(row.energy_mwh), row.readings])).toEqual([
          [0, 0, 1],
          [Q, 2_500, 2],
        ]);
      },
      30_000,
      200,
    );
    const dq = await fx.pool.query<{ kind: string; event_ts: Date }>(
      'SELECT kind, event_ts FROM data_quality_events WHERE tenant = $1 ORDER BY event_id',
      [fx.tenant],
    );
    expect(dq.rows.map((r) => [r.kind, r.event_ts.getTime() - w0])).toEqual([
      ['reading_beyond_horizon', 5_000],
      ['invalid_reading', Q + 40_000],
    ]);

    const dead = await fx.deadLetters();
    expect(dead.map((d) => [d.key, d.headers['sb-dlq-error-type'], d.headers['sb-dlq-source-offset']])).toEqual([
      [`${fx.tenant}/m1`, 'late', landed[2].offset],
      [`${fx.tenant}/m1`, 'invalid', landed[3].offset],
    ]);
    for (const [i, d] of dead.entries()) {
      expect(d.headers).toMatchObject({
        'sb-dlq-source-topic': fx.topic,
        'sb-dlq-source-partition': landed[i + 2].partition,
        'sb-dlq-attempt': '1',
      });
    }
    expect(dead[0].headers['sb-dlq-error']).toMatch(/^reading_beyond_horizon: /);
    expect(dead[1].headers['sb-dlq-error']).toMatch(/^invalid_reading: .*negative/);
    expect(JSON.parse(dead[0].value)).toMatchObject({
      tenant: fx.tenant,
      kind: 'reading_beyond_horizon',
      entityType: 'meter',
      entityId: 'm1',
      ts: w0 + 5_000,
      detail: { energyWh: 99, graceMs: 10_000, restateForMs: 10_000 },
    });
    expect(JSON.parse(dead[1].value)).toMatchObject({
      kind: 'invalid_reading',
      ts: w0 + Q + 40_000,
      detail: { energyWh: -5 },
    });
  }, 60_000);
});
