import type { CallFact } from '../../../calls';
import type { CallsHopValue, HopMessage } from '../calls-hop';
import { queueStage } from './queue-stage';

// A queue's properties (its SLA) and its calls' facts reach stage 2 from different upstream partitions, so their
// arrival order in the hop topic depends on which call-stage partition was processed (and relayed) first: a replay
// of the same log may interleave them differently from the live run or the previous replay. The in-SLA verdict must
// not depend on it: an SLA change takes effect at the stream time of the partition it was read on, and a fact is
// judged with the SLA in effect at its timestamp — re-judged if the change reaches stage 2 after the fact.
const T0 = Date.UTC(2026, 0, 7, 10, 0, 0);
const KEY = 'acme/support';

let sequences = [0, 0];
const record = (source: number, value: CallsHopValue, timestamp: number, retract = false): HopMessage => ({
  kind: 'record',
  key: KEY,
  value,
  timestamp,
  sourcePartition: source,
  sequence: sequences[source]++,
  ...(retract ? { retract } : {}),
});
const time = (sourcePartition: number, streamTime: number): HopMessage => ({
  kind: 'time',
  sourcePartition,
  streamTime,
});
const fact = (f: CallFact): CallsHopValue => ({ kind: 'fact', fact: f });

/** Calls of source 0, answered after 25 s (in SLA at 30 s, not at the default 20 s) and 35 s; one corrected. */
function callsOfSource0(): HopMessage[] {
  const out: HopMessage[] = [];
  for (let i = 0; i < 6; i++) {
    const start = T0 + i * 60_000;
    const waitMs = i % 2 === 0 ? 25_000 : 35_000;
    const callId = `c${i}`;
    out.push(record(0, fact({ kind: 'offered', callId, queue: 'support', ts: start }), start));
    const answer = { kind: 'answered', callId, queue: 'support', ts: start + waitMs, waitMs } as const;
    out.push(record(0, fact(answer), start + waitMs));
    if (i === 1) {
      // A correction: c1 was answered earlier (after 33 s), so the call stage takes the 35 s answer back.
      const right = { ...answer, ts: start + 33_000, waitMs: 33_000 };
      out.push(record(0, fact(answer), answer.ts, true), record(0, fact(right), right.ts));
    }
  }
  out.push(time(0, T0 + 10 * 60_000));
  return out;
}

/** Source 1: the queue's SLA set to 30 s before any event of its partition (stream time 0), later raised to 40 s. */
function propertiesOfSource1(): HopMessage[] {
  return [
    record(1, { kind: 'queue', slaSeconds: 30, name: 'Support' }, 0),
    time(1, T0 + 3 * 60_000),
    record(1, { kind: 'queue', slaSeconds: 40, name: 'Support' }, T0 + 3 * 60_000),
    time(1, T0 + 10 * 60_000),
  ];
}

/** Feeds the stage in batches of `batch` messages; the latest row of each window (numbers and finality). */
function run(messages: readonly HopMessage[], batch: number): Map<string, string> {
  const stage = queueStage({
    inputTopic: 'hop',
    inputs: 2,
    updatesTopic: 'u',
    graceMs: 60_000,
    idleMs: 1000,
    mode: 'replay',
  });
  for (const s of stage.states) s.restore(0, undefined);
  const rows = new Map<string, string>();
  for (let i = 0; i < messages.length; i += batch) {
    stage.process(0, messages.slice(i, i + batch));
    for (const r of stage.drain().results) {
      if ('dq' in r) throw new Error(`unexpected data-quality row ${r.dq.kind}`);
      rows.set(`${r.windowStart - T0}`, `${JSON.stringify(r.value)}${r.final ? ' final' : ''}`);
    }
  }
  return rows;
}

function messagesFor(order: 'facts first' | 'properties first' | 'interleaved'): HopMessage[] {
  sequences = [0, 0];
  const facts = callsOfSource0();
  const props = propertiesOfSource1();
  if (order === 'facts first') return [...facts, ...props];
  if (order === 'properties first') return [...props, ...facts];
  const out: HopMessage[] = [];
  for (let i = 0; i < Math.max(facts.length, props.length * 3); i++) {
    if (i < facts.length) out.push(facts[i]);
    if (i % 3 === 2 && props[(i - 2) / 3]) out.push(props[(i - 2) / 3]);
  }
  return out;
}

describe('the in-SLA verdict does not depend on how the hop interleaves its sources', () => {
  const reference = run(messagesFor('properties first'), 1_000);

  it('judges each answer with the SLA in effect at its timestamp', () => {
    const inSla = [...reference.values()].map((r) => JSON.parse(r.replace(/ final$/, '')).answeredInSla);
    // 25 s at 30 s: in; c1's 33 s (its 35 s answer taken back) at 30 s: out; from T0+3 min on the SLA is 40 s: in.
    expect(inSla).toEqual([1, 0, 1, 1, 1, 1]);
  });

  it.each([
    ['facts first', 1_000],
    ['facts first', 1],
    ['facts first', 4],
    ['properties first', 1],
    ['interleaved', 1_000],
    ['interleaved', 1],
    ['interleaved', 5],
  ] as const)('gives the same rows with %s, in batches of %i', (order, batch) => {
    expect(run(messagesFor(order), batch)).toEqual(reference);
  });
});
