import { decodeRepartition, type OutboxRecord } from '@switchboard/streams';
import type { CallsHopValue } from '../calls-hop';
import { callMessage as call, queuePropertiesMessage as queueProps } from './call-messages.spec-support';
import { callsStage } from './calls-stage';

// Stage 1 tells stage 2 each tenant's own time, so stage 2 closes a tenant on it: the time markers carry every
// tenant that moved, and what is not a fact (a waiting change, a queue's properties) is stamped with its tenant's
// time — never with the partition's, which the live tenant drives. Tenant "live" is an hour ahead of tenant "pbx".
const T = Date.UTC(2026, 0, 9, 9, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

const hop = (outbox: OutboxRecord[]) =>
  outbox
    .filter((o) => o.topic === 'hop')
    .map((o) => decodeRepartition<CallsHopValue>(o.key, o.headers ?? {}, o.value as Buffer));

function stage() {
  const s = callsStage({ repartitionTopic: 'hop', partitions: 1, graceMs: MIN, idleMs: 1_000, mode: 'replay' });
  for (const state of s.states) state.restore(0, undefined);
  return s;
}

describe('the calls hop carries each tenant’s own time', () => {
  it('stamps waiting changes and queue properties with the tenant’s time, and announces each tenant', () => {
    const s = stage();
    s.process(0, [call('live', 'l1', 'call.started', T + HOUR, { queue: 'sales' })]);
    s.drain();
    s.process(0, [
      call('pbx', 'p1', 'call.started', T, { queue: 'sales' }),
      call('pbx', 'p1', 'call.answered', T + 20_000, { agentId: 'a1' }),
      queueProps('pbx', 'sales', 30),
    ]);
    const messages = hop(s.drain().outbox);
    const stamps = messages.flatMap((m) =>
      m.kind === 'record' && m.value.kind !== 'fact' ? [[m.value.kind, m.key, m.timestamp - T]] : [],
    );
    expect(stamps).toEqual([
      ['waiting', 'pbx/sales', 0],
      ['waiting', 'pbx/sales', 20_000],
      ['queue', 'pbx/sales', 20_000],
    ]);
    const times = messages.filter((m) => m.kind === 'time');
    expect(times).toEqual([
      { kind: 'time', sourcePartition: 0, streamTime: T + HOUR, groups: [['pbx', T + 20_000, T, T + HOUR]] },
    ]);
  });

  it('a tenant without events in the partition gets the partition’s time, which moves no tenant’s time', () => {
    const s = stage();
    s.process(0, [call('live', 'l1', 'call.started', T + HOUR, { queue: 'sales' })]);
    s.drain();
    s.process(0, [queueProps('pbx', 'sales', 30)]);
    const messages = hop(s.drain().outbox);
    expect(
      messages.filter((m) => m.kind === 'record').map((m) => m.kind === 'record' && [m.value, m.timestamp]),
    ).toEqual([[{ kind: 'queue', slaSeconds: 30, name: 'sales', byPartition: true }, T + HOUR]]);
    expect(messages.filter((m) => m.kind === 'time')).toEqual([]);
  });
});
