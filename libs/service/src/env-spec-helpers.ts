import { EnvError } from './env-files';

/** The issues an environment loader throws for `env` (a spec fails when it throws none, or something else). */
export function issuesOf(load: (env: NodeJS.ProcessEnv) => unknown, env: NodeJS.ProcessEnv): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof EnvError) return err.issues;
    throw err;
  }
  throw new Error('expected an EnvError');
}
