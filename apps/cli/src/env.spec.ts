import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTION_ENV_KEYS } from '@switchboard/service';
import { CLI_ENV_KEYS } from './env';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const names = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1]);

describe('CLI_ENV_KEYS', () => {
  it('names exactly the variables the CLI and the dashboard-link helpers it calls read', () => {
    const read = new Set<string>();
    for (const file of sources(__dirname)) {
      const text = readFileSync(file, 'utf8');
      for (const n of names(text, /process\.env\.([A-Z][A-Z0-9_]*)/g)) read.add(n);
      for (const n of names(text, /\.env\('([A-Z][A-Z0-9_]*)'\)/g)) read.add(n);
    }
    const secret = readFileSync(join(__dirname, '../../../libs/service/src/dashboard-token-secret.ts'), 'utf8');
    for (const n of names(secret, /\benv\.([A-Z][A-Z0-9_]*)/g)) read.add(n);
    // db.ts hands process.env to libs/service's connection loaders, which read these
    expect(readFileSync(join(__dirname, 'db.ts'), 'utf8')).toContain('connectionsOf(process.env');
    for (const n of CONNECTION_ENV_KEYS) read.add(n);
    expect([...read].sort()).toEqual([...CLI_ENV_KEYS].sort());
  });
});
