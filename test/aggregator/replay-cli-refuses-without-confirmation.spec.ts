import { uniqueName } from '../support/env';
import { switchboardReplay } from '../support/switchboard-cli';

// `switchboard replay` as an operator runs it, without a terminal (stdin not a TTY, as in CI or a pipe): it refuses
// without --yes, before connecting anywhere (the database here does not even exist), with exit code 2 and one
// sentence; hostile prefixes are refused with a sentence naming the option.
function replay(args: string[], env: Record<string, string> = {}) {
  const absent = `postgres://postgres@127.0.0.1:5432/${uniqueName('absent').replaceAll('-', '_')}`;
  return switchboardReplay(args, { DATABASE_URL: absent, ...env }, 30_000);
}

describe('switchboard replay from a script', () => {
  it('refuses without --yes when stdin is not a terminal: exit 2, one sentence, nothing touched', () => {
    const r = replay(['--group-prefix', uniqueName('agg')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'switchboard: refusing to replay without confirmation: stdin is not a terminal, so pass --yes (nothing was changed)',
    ]);
  });

  it('with --yes names the database it would empty, host and name, never the password', () => {
    const name = uniqueName('absent').replaceAll('-', '_');
    const r = replay(['--yes', '--group-prefix', 'agg', '--namespace', 'ns'], {
      DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:5432/${name}`,
    });
    expect(r.stderr.split('\n')[0]).toBe(
      `replay: rebuilding database "${name}" on 127.0.0.1:5432 from groups "agg.*" of namespace ns`,
    );
    expect(r.stderr).not.toContain('s3cret-pw');
    expect(r.status).not.toBe(0); // the database does not exist: nothing to rebuild
  });

  it.each([[''], ['agg regator'], ['agg/1']])('refuses --group-prefix %j with a sentence naming the rule', (prefix) => {
    const r = replay(['--yes', '--group-prefix', prefix]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("option '--group-prefix <prefix>' argument");
    expect(r.stderr).toContain('the group prefix must be 1–200 characters of A–Z, a–z, 0–9, ".", "_" and "-"');
  });

  it('refuses a bad namespace, and a bad AGGREGATOR_GROUP_PREFIX from the environment, naming it', () => {
    const ns = replay(['--yes', '--namespace', 'a b']);
    expect(ns.status).toBe(1);
    expect(ns.stderr).toContain('the topic namespace must be');
    const env = replay(['--yes'], { AGGREGATOR_GROUP_PREFIX: 'a b' });
    expect(env.status).toBe(1);
    expect(env.stderr).toMatch(/switchboard: invalid aggregator configuration: AGGREGATOR_GROUP_PREFIX/);
  });
});
