import { describeHolders, holderOf } from './lock-holders';

// A refused replay and a waiting aggregator say who holds the deployment lock, so an operator finds the process.
describe('the deployment lock holders, in one phrase', () => {
  const since = new Date('2026-12-04T02:00:00Z');
  const row = (pid: number, application = 'aggregator', mode = 'ShareLock') => ({
    pid,
    mode,
    application,
    address: '10.0.0.5',
    since,
  });

  it('counts the sessions, names their applications, and shows at most three', () => {
    expect(describeHolders([holderOf(row(41))])).toBe(
      '1 aggregator session (pid 41 from 10.0.0.5 since 2026-12-04T02:00:00.000Z)',
    );
    const many = [41, 42, 43, 44, 45].map((pid) => holderOf(row(pid)));
    expect(describeHolders(many)).toMatch(/^5 aggregator sessions \(pid 41 .*; pid 42 .*; pid 43 [^;]*, and 2 more\)$/);
  });

  it('tells shared from exclusive holds, and a session without address or name', () => {
    const replay = holderOf({ pid: 7, mode: 'ExclusiveLock', application: '', address: null, since: null });
    expect(replay.mode).toBe('exclusive');
    expect(holderOf(row(8)).mode).toBe('shared');
    expect(describeHolders([replay])).toBe('1 unnamed session (pid 7)');
    expect(describeHolders([])).toBe('no session (it was just released)');
  });
});
