import { NpmStart } from '../support/npm-start';
import { eventually } from '../support/wait';

// An aggregator that cannot start (its configuration is refused, exit code 1 at once) under `npm start`: the
// first crashes get a line each, the third within a minute one crash-loop report with the service's last lines,
// the later ones nothing (its output is hidden); the restarts back off; Ctrl-C during a back-off stops cleanly.
describe('npm start and a service in a crash loop', () => {
  const start = new NpmStart({
    args: ['--no-simulate', '--aggregators', '1'],
    env: { LOG_FORMAT: 'json', AGGREGATOR_MAX_CALL_AGE_MS: '10' },
  });

  afterAll(() => start.kill());

  it('reports the loop once, with the last lines, and restarts with back-off', async () => {
    await start.start();
    const said = (pattern: RegExp) => start.output.filter((l) => pattern.test(l));
    const report = await eventually(
      () => {
        const [line] = said(/^\[switchboard\] aggregator-1 is crash-looping/);
        expect(line).toBeDefined();
        return line;
      },
      180_000,
      200,
    ).catch((err) => {
      console.log(`npm start output:\n${start.tail()}`);
      throw err;
    });
    expect(report).toMatch(
      /^\[switchboard\] aggregator-1 is crash-looping: 3 crashes in [\d.]+ s \(last: exit code 1\); restarting with back-off \(next in 4 s, at most 30 s\), its output hidden until it runs again; its last \d+ lines:$/,
    );
    const at = start.output.indexOf(report);
    const tail = start.output.slice(at + 1).filter((l) => l.startsWith('    '));
    expect(tail.some((l) => l.includes('invalid aggregator configuration: AGGREGATOR_MAX_CALL_AGE_MS'))).toBe(true);
    expect(said(/^\[switchboard\] aggregator-1 exited \(exit code 1\); restarting in /)).toEqual([
      '[switchboard] aggregator-1 exited (exit code 1); restarting in 1 s',
      '[switchboard] aggregator-1 exited (exit code 1); restarting in 2 s',
    ]);

    // Two more crashes (after 4 s and 8 s of back-off, plus each start): quiet.
    const failedToStart = () => said(/^aggregator-1 +\| aggregator failed to start/).length;
    const shownBefore = failedToStart();
    const restarts = new Set<number>();
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      for (const pid of start.leftovers('INSTANCE_ID=aggregator-1')) restarts.add(pid);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(restarts.size).toBeGreaterThanOrEqual(1); // it was started again meanwhile (at least once)
    expect(failedToStart()).toBe(shownBefore);
    expect(said(/^\[switchboard\] aggregator-1 (is crash-looping|exited)/)).toHaveLength(3);

    expect(await start.interrupt()).toEqual({ code: 0, signal: null });
    expect(start.leftovers()).toEqual([]);
  }, 300_000);
});
