import { decodeRepartition, type OutboxRecord } from '@switchboard/streams';
import type { CallsHopValue } from '../calls-hop';
import { callMessage as call } from './call-messages.spec-support';
import { callsStage } from './calls-stage';

// A call without an end leaves the state after the maximum call age — judged on its own tenant's time in the
// partition, never on another tenant's. Tenant "live" is five hours ahead (it sends now) while tenant "pbx" forwards
// calls buffered during an outage: they are counted whole, not expired on their next event.
const T = Date.UTC(2026, 0, 9, 9, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

const facts = (outbox: OutboxRecord[]) =>
  outbox
    .filter((o) => o.topic === 'hop')
    .map((o) => decodeRepartition<CallsHopValue>(o.key, o.headers ?? {}, o.value as Buffer))
    .flatMap((m) =>
      m.kind === 'record' && m.value.kind === 'fact' ? [[m.key, m.retract ? '-' : '+', m.value.fact.kind]] : [],
    );

function stage() {
  const s = callsStage({
    repartitionTopic: 'hop',
    partitions: 1,
    graceMs: MIN,
    idleMs: 1_000,
    mode: 'replay',
    maxCallAgeMs: 4 * HOUR,
    restateForMs: 24 * HOUR,
  });
  for (const state of s.states) state.restore(0, undefined);
  return s;
}

describe('calls expire by their own tenant clock', () => {
  it("counts a tenant's calls forwarded five hours late behind another tenant's live traffic", () => {
    const s = stage();
    s.process(0, [call('live', 'l1', 'call.started', T + 5 * HOUR, { queue: 'sales' })]);
    s.drain();
    s.process(0, [
      call('pbx', 'p1', 'call.started', T, { queue: 'sales' }),
      call('pbx', 'p1', 'call.answered', T + 20_000, { agentId: 'a1' }),
      call('pbx', 'p1', 'call.ended', T + 200_000),
    ]);
    const { results, outbox } = s.drain();
    expect(facts(outbox)).toEqual([
      ['pbx/sales', '+', 'offered'],
      ['pbx/sales', '+', 'answered'],
      ['pbx/sales', '+', 'talked'],
    ]);
    expect(results.filter((r) => 'dq' in r && r.dq.kind === 'call_expired')).toEqual([]);
  });

  it('still expires a call without an end once its own tenant is past the maximum call age', () => {
    const s = stage();
    s.process(0, [call('pbx', 'p1', 'call.started', T, { queue: 'sales' })]);
    s.process(0, [call('pbx', 'p2', 'call.started', T + 4 * HOUR + MIN, { queue: 'sales' })]);
    s.process(0, [call('pbx', 'p1', 'call.ended', T + 4 * HOUR + 2 * MIN)]);
    const { results } = s.drain();
    expect(results.flatMap((r) => ('dq' in r ? [[r.dq.kind, r.dq.entityId]] : []))).toContainEqual([
      'call_expired',
      'p1',
    ]);
  });
});
