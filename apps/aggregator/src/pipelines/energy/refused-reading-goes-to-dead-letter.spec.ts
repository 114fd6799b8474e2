import { type ConsumedMessage, DeadLetterHeaders, TimeseriesData } from '@switchboard/streams';
import { energyTopology } from './topology';
import { assign } from './topology.spec-support';

// A message holds many readings and only one may be refused: that one becomes a data_quality_events row AND a
// record on the input topic's dead-letter topic, whose headers point at the message it came from and whose value
// is the refused reading alone. The readings around it are counted as usual.
const Q = 15 * 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function message(offset: string, rows: Array<[ts: number, energyWh: number]>): ConsumedMessage {
  const data = new TimeseriesData();
  for (const [ts, wh] of rows) data.setNumeric(data.addRow(ts), 'energyWh', wh);
  return { partition: 3, offset, streamId: 'acme/m1', message: { kind: 'timeseries', data } };
}

describe('a refused reading goes to the dead-letter topic with its provenance', () => {
  // A horizon of 0 (no restatement): window 0 expires as soon as it is final, so a reading for it is beyond the
  // horizon (with the default horizon ingest refuses such a reading; here it is written straight onto the topic).
  const t = energyTopology({
    inputTopic: 'events.meters',
    graceMs: 60_000,
    idleMs: 1_000,
    mode: 'replay',
    restateForMs: 0,
  });
  assign(t, 3);
  t.process(3, [message('40', [[T0, 10]]), message('41', [[T0 + Q + 61_000, 20]])]); // window 0 is final now
  t.process(3, [
    message('42', [
      [T0 + 5_000, 11], // beyond the horizon
      [T0 + Q + 70_000, -3], // impossible
      [T0 + Q + 80_000, 21],
    ]),
  ]);
  const { results, outbox } = t.drain();
  const dead = outbox.filter((o) => o.topic === 'events.meters.dlq');

  it('writes one data-quality row and one dead-letter record per refused reading', () => {
    expect(results.flatMap((r) => (r.kind === 'data-quality' ? [r.row.kind] : []))).toEqual([
      'reading_beyond_horizon',
      'invalid_reading',
    ]);
    expect(dead.map((d) => [d.key, d.headers?.[DeadLetterHeaders.errorType]])).toEqual([
      ['acme/m1', 'late'],
      ['acme/m1', 'invalid'],
    ]);
    expect(t.refused).toEqual({ late: 1, invalid: 1 });
  });

  it('points at the source message and says what was wrong', () => {
    expect(dead[0].headers).toEqual({
      'sb-dlq-source-topic': 'events.meters',
      'sb-dlq-source-partition': '3',
      'sb-dlq-source-offset': '42',
      'sb-dlq-error': expect.stringMatching(
        /^reading_beyond_horizon: the reading's window 2026-01-05T10:00:00.000Z is beyond the restatement horizon/,
      ),
      'sb-dlq-error-type': 'late',
      'sb-dlq-attempt': '1',
    });
    expect(dead[1].headers?.[DeadLetterHeaders.error]).toMatch(/^invalid_reading: .*negative/);
  });

  it('carries the refused reading, not the whole message', () => {
    expect(JSON.parse(String(dead[0].value))).toEqual({
      tenant: 'acme',
      kind: 'reading_beyond_horizon',
      entityType: 'meter',
      entityId: 'm1',
      ts: T0 + 5_000,
      detail: {
        windowStart: '2026-01-05T10:00:00.000Z',
        streamTime: new Date(T0 + Q + 61_000).toISOString(),
        graceMs: 60_000,
        restateForMs: 0,
        energyWh: 11,
      },
    });
    expect(JSON.parse(String(dead[1].value))).toMatchObject({ ts: T0 + Q + 70_000, detail: { energyWh: -3 } });
  });

  it('counts the valid reading of the same message', () => {
    const rows = results.flatMap((r) => (r.kind === 'window' ? [r.row] : []));
    expect(rows.filter((r) => r.windowStart === T0 + Q).pop()).toMatchObject({ readings: 2, energyMwh: 11_000 });
  });
});
