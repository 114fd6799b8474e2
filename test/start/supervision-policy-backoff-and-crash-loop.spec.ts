import {
  BACKOFF,
  backoffMs,
  CRASH_LOOP,
  crashLine,
  crashLoopReport,
  describeExit,
  LogTail,
  RestartPolicy,
} from '../../scripts/supervision-policy.cjs';

// The pure part of npm start's supervision: back-off, reset after a minute of Running, one report per loop.
describe('npm start restart policy', () => {
  it('backs off 1 s, doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map((n) => backoffMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(BACKOFF).toEqual({ initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 });
  });

  it('starts the back-off over once the service ran for a minute', () => {
    const policy = new RestartPolicy();
    let now = 0;
    const crashAfter = (ranMs: number) => {
      const runningSince = now;
      now += ranMs;
      return policy.crashed(now, runningSince);
    };
    expect(crashAfter(40_000).delayMs).toBe(1000);
    expect(crashAfter(40_000).delayMs).toBe(2000);
    expect(crashAfter(59_999).delayMs).toBe(4000);
    expect(crashAfter(60_000).delayMs).toBe(1000);
  });

  it('counts a service that never became Running as still crashing', () => {
    const policy = new RestartPolicy();
    const delays = [0, 70_000, 140_000, 210_000].map((at) => policy.crashed(at, undefined).delayMs);
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
  });

  it('reports a loop of 3 crashes within a minute once, then stays quiet until the service ran a minute', () => {
    const policy = new RestartPolicy();
    const reports = [0, 5_000, 12_000, 25_000, 45_000].map((at) => policy.crashed(at, at - 2000));
    expect(reports.map((r) => r.report)).toEqual(['crash', 'crash', 'crash-loop', 'quiet', 'quiet']);
    expect(reports[2]).toMatchObject({ crashesInWindow: CRASH_LOOP.crashes, windowMs: 12_000, delayMs: 4000 });
    // Ran for a minute: a new crash is a single crash again.
    expect(policy.crashed(200_000, 130_000)).toMatchObject({ report: 'crash', attempt: 1, delayMs: 1000 });
  });

  it('does not call crashes spread over more than a minute a loop', () => {
    const policy = new RestartPolicy();
    const reports = [0, 35_000, 70_000, 105_000].map((at) => policy.crashed(at, at - 1000).report);
    expect(reports).toEqual(['crash', 'crash', 'crash', 'crash']);
  });

  it('says it in one line, with the last lines of the service under it', () => {
    const tail = new LogTail(3);
    for (const line of ['one', 'two', 'three', 'four']) tail.push(line);
    expect(tail.lines()).toEqual(['two', 'three', 'four']);
    expect(crashLine('aggregator-1', describeExit(null, 'SIGKILL'), 1000)).toBe(
      'aggregator-1 exited (SIGKILL); restarting in 1 s',
    );
    const report = crashLoopReport({
      name: 'aggregator-1',
      exit: describeExit(1, null),
      crashes: 3,
      windowMs: 12_400,
      delayMs: 4000,
      tail: tail.lines(),
    }).split('\n');
    expect(report[0]).toBe(
      'aggregator-1 is crash-looping: 3 crashes in 12.4 s (last: exit code 1); restarting with back-off (next in 4 s, at most 30 s), its output hidden until it runs again; its last 3 lines:',
    );
    expect(report.slice(1)).toEqual(['    two', '    three', '    four']);
  });
});
