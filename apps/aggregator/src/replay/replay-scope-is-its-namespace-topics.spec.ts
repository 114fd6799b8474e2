import { aggregatorGroups, scopeTopics } from './aggregator-groups';

// A replay deletes checkpoint rows and outbox rows only on its scope's topics: another namespace's (or the
// un-namespaced deployment's) share none of them, so its unsent update events and its checkpoints stay.
describe("a replay scope's topics", () => {
  it('are the inputs of its groups, and what its pipelines write through the outbox, in its namespace', () => {
    expect(scopeTopics(aggregatorGroups, { groupPrefix: 'agg', namespace: 'blue' })).toEqual({
      inputs: [
        'blue.events.meters',
        'blue.events.agents',
        'blue.events.calls',
        'agg.calls.by-queue',
        'blue.metrics.updates',
      ],
      outbox: [
        'blue.events.meters',
        'blue.events.agents',
        'blue.events.calls',
        'agg.calls.by-queue',
        'blue.metrics.updates',
        'blue.alerts',
        'blue.events.meters.dlq',
        'blue.events.agents.dlq',
        'blue.events.calls.dlq',
        'agg.calls.by-queue.dlq',
        'blue.metrics.updates.dlq',
      ],
    });
  });

  it('share no topic with another namespace of the same group prefix but the hop (named by the prefix)', () => {
    const blue = scopeTopics(aggregatorGroups, { groupPrefix: 'agg', namespace: 'blue' });
    const bare = scopeTopics(aggregatorGroups, { groupPrefix: 'agg' });
    expect(bare.inputs).toContain('events.meters');
    expect(blue.outbox.filter((t) => bare.outbox.includes(t))).toEqual([
      'agg.calls.by-queue',
      'agg.calls.by-queue.dlq',
    ]);
  });
});
