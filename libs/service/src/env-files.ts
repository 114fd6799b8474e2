import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Environment variables that cannot work: one line per problem, each starting with the variable's name. */
export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
    this.name = 'EnvError';
  }
}

/** zod's issues as `<VARIABLE>: <what is wrong>` lines (zod never echoes a string's value in them). */
export function envIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

/**
 * The contents of a file a variable names (a certificate, a key, a mounted secret), or undefined with an issue
 * naming the variable and the path (never the contents).
 */
export function readEnvFile(variable: string, path: string, issues: string[]): Buffer | undefined {
  try {
    const contents = readFileSync(path);
    if (contents.length === 0) issues.push(`${variable}: ${path} is empty`);
    return contents;
  } catch (err) {
    issues.push(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}
