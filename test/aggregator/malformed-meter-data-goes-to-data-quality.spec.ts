import { encode, TimeseriesData } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { AggregatorFixture } from './energy-fixtures';

// Hostile input straight onto the topic (bypassing ingest): bytes that are no message, a stream id without a
// tenant, a negative register and a fifth decimal. The first two go to the dead-letter topic with provenance,
// the others to data_quality_events and the dead-letter topic too; the good readings around them are counted as if
// the bad ones were absent.
const Q = 15 * 60_000;

describe('malformed meter data goes to data quality', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  it('dead-letters what cannot be read, records impossible values, and keeps processing', async () => {
    const w0 = Math.floor(Date.now() / Q) * Q - Q;
    const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('hostile'), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const rows = (values: Array<[number, number]>) => {
      const data = new TimeseriesData();
      for (const [ts, wh] of values) data.setNumeric(data.addRow(ts), 'energyWh', wh);
      const wire = encode(`${fx.tenant}/m1`, { kind: 'timeseries', data });
      return { key: wire.key, headers: wire.headers, value: wire.value };
    };
    const noTenant = encode('no-separator', { kind: 'timeseries', data: new TimeseriesData() });
    await producer.send({
      topic: fx.topic,
      messages: [
        rows([[w0 + 60_000, 100]]),
        {
          key: `${fx.tenant}/m1`,
          headers: { 'sb-model': 'timeseries', 'sb-codec': 'json/1' },
          value: '{"timestamps": [1,',
        },
        { key: noTenant.key, headers: noTenant.headers, value: noTenant.value },
        rows([[w0 + 120_000, -5]]),
        rows([[w0 + 180_000, 101.23456]]),
        rows([[w0 + 240_000, 102.5]]),
      ],
    });
    await producer.disconnect();

    await fx.startEnergy();

    await eventually(
      async () => {
        const r = await fx.pool.query('SELECT energy_mwh, readings FROM meter_energy_15m WHERE tenant = $1', [
          fx.tenant,
        ]);
        expect(r.rows.map((row) => [Number(row.energy_mwh), row.readings])).toEqual([[2_500, 2]]);
      },
      30_000,
      200,
    );
    const dq = await fx.pool.query<{
      kind: string;
      entity_type: string;
      entity_id: string;
      event_ts: Date;
      detail: { error: string };
    }>(
      `SELECT kind, entity_type, entity_id, event_ts, detail FROM data_quality_events WHERE tenant = $1 ORDER BY event_ts`,
      [fx.tenant],
    );
    expect(dq.rows.map((r) => [r.kind, r.entity_type, r.entity_id, r.event_ts.getTime() - w0])).toEqual([
      ['invalid_reading', 'meter', 'm1', 120_000],
      ['invalid_reading', 'meter', 'm1', 180_000],
    ]);
    expect(dq.rows[1].detail.error).toMatch(/more than 3 decimals/);

    const dlq = await fx.pool.query<{ key: string | null; headers: Record<string, string> }>(
      `SELECT key, headers FROM ${fx.prefix}outbox WHERE topic = $1 ORDER BY id`,
      [`${fx.topic}.dlq`],
    );
    // Two keys, maybe two partitions: compare in key and type order. The impossible readings are dead letters too.
    const dead = dlq.rows.sort(
      (a, b) =>
        String(a.key).localeCompare(String(b.key)) ||
        a.headers['sb-dlq-error-type'].localeCompare(b.headers['sb-dlq-error-type']),
    );
    expect(dead.map((r) => [r.key, r.headers['sb-dlq-source-topic'], r.headers['sb-dlq-error-type']])).toEqual(
      [
        [`${fx.tenant}/m1`, fx.topic, 'StreamsDecodeError'],
        [`${fx.tenant}/m1`, fx.topic, 'invalid'],
        [`${fx.tenant}/m1`, fx.topic, 'invalid'],
        ['no-separator', fx.topic, 'StreamsDecodeError'],
      ].sort((a, b) => a[0].localeCompare(b[0]) || a[2].localeCompare(b[2])),
    );
    for (const r of dead) expect(r.headers['sb-dlq-source-offset']).toMatch(/^\d+$/);
  }, 60_000);
});
