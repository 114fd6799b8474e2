import { checkScope } from './aggregator-groups';
import { refuseWhileActive } from './live-groups';
import { ReplayConfigError, ReplayRefusedError } from './replay-errors';

describe('replay refuses what cannot work', () => {
  it.each(['', ' ', 'agg regator', 'agg/x', 'a*', 'ä'])('group prefix %j is refused with a sentence', (groupPrefix) => {
    expect(() => checkScope({ groupPrefix })).toThrow(ReplayConfigError);
    expect(() => checkScope({ groupPrefix })).toThrow(/group prefix must be 1–200 characters/);
  });

  it('a namespace with spaces or an empty one is refused; a plain one passes', () => {
    expect(() => checkScope({ groupPrefix: 'agg', namespace: 'a b' })).toThrow(/topic namespace/);
    expect(() => checkScope({ groupPrefix: 'agg', namespace: '' })).toThrow(ReplayConfigError);
    expect(checkScope({ groupPrefix: 'agg_1.x-y', namespace: 'e2e-1' })).toEqual({
      groupPrefix: 'agg_1.x-y',
      namespace: 'e2e-1',
    });
  });

  it('refuses while a group has members, naming them; empty groups are fine', () => {
    const groups = [
      { groupId: 'agg.energy', state: 'Empty', members: 0 },
      { groupId: 'agg.calls', state: 'Stable', members: 2 },
    ];
    expect(() => refuseWhileActive(groups, 'agg')).toThrow(ReplayRefusedError);
    expect(() => refuseWhileActive(groups, 'agg')).toThrow(/agg\.calls: 2 members/);
    expect(() => refuseWhileActive([groups[0]], 'agg')).not.toThrow();
  });
});
