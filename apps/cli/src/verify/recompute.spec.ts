import type { IngestEvent } from '@switchboard/domain';
import { diffRows } from './diff-aggregates';
import { recomputeAgents, recomputeEnergy, recomputeQueueStats } from './recompute';

// Hand-computed fixtures for the batch reference `switchboard verify` compares Postgres with.
const Q = 15 * 60_000;
const T = Date.UTC(2026, 0, 5, 8, 0, 0);

describe('batch recomputation', () => {
  it('energy: baseline, a duplicate (first wins), a reset, energy in the window of the later reading', () => {
    const r = (ts: number, energyWh: number, powerW?: number): IngestEvent => ({
      type: 'meter.reading',
      meterId: 'm',
      ts,
      energyWh,
      powerW,
    });
    const rows = recomputeEnergy([
      r(T, 100),
      r(T + 60_000, 100.5, 900),
      r(T + 60_000, 999),
      r(T + Q, 0.25, 1200),
      r(T + Q + 60_000, 1),
    ]);
    expect(rows).toEqual(
      new Map([
        [`m@${T}`, '500|2|900|0'],
        [`m@${T + Q}`, '1000|2|1200|1'], // 250 mWh after the reset + 750 mWh
      ]),
    );
  });

  it('queue stats: SLA boundary, short abandon, talk in the window of the end', () => {
    const e = (type: string, callId: string, ts: number, extra: object = {}) =>
      ({ type, callId, ts, ...extra }) as IngestEvent;
    const rows = recomputeQueueStats([
      e('call.started', 'a', T, { queue: 'q' }),
      e('call.answered', 'a', T + 20_000, { agentId: 'x' }), // exactly the SLA: in
      e('call.ended', 'a', T + 80_000),
      e('call.started', 'b', T + 1000, { queue: 'q' }),
      e('call.ended', 'b', T + 6000), // abandoned after 5 s: short
      e('call.answered', 'orphan', T, { agentId: 'x' }),
    ]);
    // offered|answered|abandoned|in_sla|short|answered_wait|wait|max_wait|talk|talk_count
    expect(rows).toEqual(
      new Map([
        [`q@${T}`, '2|1|1|1|1|20000|25000|20000|0|0'],
        [`q@${T + 60_000}`, '0|0|0|0|0|0|0|0|60000|1'],
      ]),
    );
  });

  it('agents: latest by event time, ties by status order', () => {
    const s = (ts: number, status: string) => ({ type: 'agent.status', agentId: 'x', ts, status }) as IngestEvent;
    expect(recomputeAgents([s(T + 1, 'busy'), s(T, 'available'), s(T + 1, 'break')])).toEqual(
      new Map([['x', `break@${T + 1}`]]),
    );
  });

  it('diff compares only windows in [from, to) and names missing rows', () => {
    const expected = new Map([
      [`m@${T}`, '1'],
      [`m@${T + Q}`, '2'],
    ]);
    const stored = new Map([[`m@${T + Q}`, '3']]);
    expect(diffRows('t', expected, stored, T + Q)).toEqual([
      { table: 't', row: `m@${T + Q}`, expected: '2', stored: '3' },
    ]);
    expect(diffRows('t', expected, stored).map((d) => d.stored)).toEqual([null, '3']);
  });
});
