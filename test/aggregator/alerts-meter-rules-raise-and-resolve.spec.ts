import { partitionOfKey } from '../support/partitions';
import { eventually } from '../support/wait';
import { AggregatorFixture } from './energy-fixtures';

const Q = 15 * 60_000;

interface AlertRow {
  rule: string;
  entity_id: string;
  state: string;
  severity: string;
  value: number;
}

// The energy pipeline's windows feed the alert rules through metrics.updates. A meter that stopped two hours
// ago is silent next to one that reports now (both on one partition of the updates topic, whose stream time
// the busy one moves); the busy one's 15 minutes at ten times its normal energy is a spike, resolved by the
// next normal window; the silent one speaks again and its alert resolves.
describe('meter alert rules on live metrics', () => {
  const fx = new AggregatorFixture();
  beforeAll(() => fx.setUp());
  afterAll(() => fx.tearDown());

  /** Two meter ids whose update rows share a partition of the updates topic (partitioned by entity). */
  function meterPair(): [string, string] {
    const part = (m: string) => partitionOfKey(`${fx.tenant}/meter/${m}`);
    const busy = 'busy-1';
    for (let i = 0; ; i++) if (part(`quiet-${i}`) === part(busy)) return [busy, `quiet-${i}`];
  }

  it('raises a silent meter and an energy spike, and resolves both', async () => {
    const [busy, quiet] = meterPair();
    fx.startRelay();
    await fx.startEnergy();
    await fx.startAlerts(`${fx.topic}.alerts`);
    const w = Math.floor(Date.now() / Q) * Q - 12 * Q; // 3 hours ago
    const readings: Array<Record<string, unknown>> = [
      { type: 'meter.reading', meterId: quiet, ts: w + 60_000, energyWh: 50 },
      { type: 'meter.reading', meterId: quiet, ts: w + 120_000, energyWh: 51 },
    ];
    // busy: 1 Wh per window, except 10 Wh in window 8; a reading at the start of every window.
    let register = 100;
    for (let i = 0; i <= 10; i++) {
      register += i === 8 ? 10 : 1;
      readings.push({ type: 'meter.reading', meterId: busy, ts: w + i * Q + 1_000, energyWh: register });
    }
    await fx.publish(readings);

    const rows = async () =>
      (
        await fx.pool.query<AlertRow>(
          'SELECT rule, entity_id, state, severity, value FROM alerts WHERE tenant = $1 ORDER BY rule, fired_at',
          [fx.tenant],
        )
      ).rows;
    // The quiet meter's last window ended at w + 15 min; stream time is now about w + 2.5 h: over twice the hour.
    await eventually(
      async () =>
        expect(await rows()).toEqual([
          // 10 Wh against the mean of the windows before it: the first reading's (a baseline, 0 Wh) and seven of 1 Wh.
          expect.objectContaining({
            rule: 'meter_energy_spike',
            entity_id: busy,
            state: 'resolved',
            severity: 'critical',
            value: expect.closeTo(10 / (7 / 8), 9),
          }),
          expect.objectContaining({ rule: 'meter_silent', entity_id: quiet, state: 'firing', severity: 'critical' }),
        ]),
      60_000,
      200,
    );

    await fx.publish([{ type: 'meter.reading', meterId: quiet, ts: w + 10 * Q + 2_000, energyWh: 52 }]);
    await eventually(
      async () =>
        expect((await rows()).map((r) => [r.rule, r.entity_id, r.state])).toEqual([
          ['meter_energy_spike', busy, 'resolved'],
          ['meter_silent', quiet, 'resolved'],
        ]),
      60_000,
      200,
    );
  }, 120_000);
});
