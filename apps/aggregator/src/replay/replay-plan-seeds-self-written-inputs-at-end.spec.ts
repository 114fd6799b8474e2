import { aggregatorGroups } from './aggregator-groups';
import { followers, inputTopics, planInputs, recordsToReplay, seedOffsets } from './replay-plan';

const scope = { groupPrefix: 'agg', namespace: 'ns' };
const range = (start: number, end: number) => ({ start: BigInt(start), end: BigInt(end) });

describe('replay plan', () => {
  it('reads the namespaced events topics from their start to their end, and nothing the aggregator writes', () => {
    expect(inputTopics(aggregatorGroups, scope, false)).toEqual([
      'ns.events.meters',
      'ns.events.agents',
      'ns.events.calls',
    ]);
    const inputs = planInputs(
      aggregatorGroups,
      scope,
      new Map([
        [
          'ns.events.meters',
          new Map([
            [0, range(0, 10)],
            [1, range(5, 7)],
          ]),
        ],
        ['ns.events.calls', new Map([[0, range(3, 3)]])],
        // events.agents does not exist yet: nothing to read
        ['agg.calls.by-queue', new Map([[0, range(0, 99)]])],
      ]),
    );
    expect(inputs).toEqual([
      { group: 'agg.calls', topic: 'ns.events.calls', partition: 0, start: 3n, target: 3n },
      { group: 'agg.energy', topic: 'ns.events.meters', partition: 0, start: 0n, target: 10n },
      { group: 'agg.energy', topic: 'ns.events.meters', partition: 1, start: 5n, target: 7n },
    ]);
    expect(recordsToReplay(inputs)).toBe(12n);
  });

  it('seeds the queues stage on the hop topic and the alert rules on the namespaced updates, at every partition end', () => {
    expect(inputTopics(aggregatorGroups, scope, true)).toEqual(['agg.calls.by-queue', 'ns.metrics.updates']);
    const seeds = seedOffsets(
      aggregatorGroups,
      scope,
      new Map([
        [
          'agg.calls.by-queue',
          new Map([
            [0, range(0, 40)],
            [1, range(2, 2)],
          ]),
        ],
        [
          'ns.metrics.updates',
          new Map([
            [0, range(10, 70)],
            [1, range(0, 0)],
          ]),
        ],
        ['ns.events.calls', new Map([[0, range(0, 5)]])],
      ]),
    );
    expect(seeds).toEqual([
      { group: 'agg.alerts', topic: 'ns.metrics.updates', partition: 0, offset: 70n },
      { group: 'agg.alerts', topic: 'ns.metrics.updates', partition: 1, offset: 0n },
      { group: 'agg.queues', topic: 'agg.calls.by-queue', partition: 0, offset: 40n },
      { group: 'agg.queues', topic: 'agg.calls.by-queue', partition: 1, offset: 2n },
    ]);
  });

  it('waits only for the seeded groups whose pipeline runs in the replay', () => {
    expect(followers(aggregatorGroups, scope, new Set(['energy', 'agents', 'calls']))).toEqual([
      { group: 'agg.queues', topic: 'agg.calls.by-queue' },
    ]);
    expect(followers(aggregatorGroups, scope, new Set(['calls', 'alerts'])).map((f) => f.group)).toEqual([
      'agg.queues',
      'agg.alerts',
    ]);
  });

  it('without a namespace, the topics are the plain names', () => {
    expect(inputTopics(aggregatorGroups, { groupPrefix: 'aggregator' }, true)).toEqual([
      'aggregator.calls.by-queue',
      'metrics.updates',
    ]);
  });
});
