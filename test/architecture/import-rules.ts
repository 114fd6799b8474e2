import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

/**
 * The import rules of the repository's layers (README "Layout", libs/streams/README.md "Layers"), checked over every
 * TypeScript and JavaScript file git knows. Imports are read with the TypeScript compiler's own pre-processor
 * (`import`, `export … from`, `require()`, `import()`), not a regex, so comments and strings do not count.
 *
 * Exempt from the kafkajs rule: test/ and bench/ — integration tests and benchmarks use kafkajs as an independent
 * client to check the library from outside (and as the benchmarks' peer baseline).
 */
export const RULES = {
  kafkajs: 'kafkajs is imported only in libs/streams/src/kafka (the adapter behind the Kafka port)',
  core: 'libs/streams/src/core imports neither kafkajs, @nestjs/* nor pg',
  appToApp: 'an app imports another app only through apps/aggregator/src/replay/index.ts (the replay entry point)',
  libToApp: 'a lib never imports an app',
  migration: 'a migration imports only typeorm and other files of migrations/ (no live code)',
} as const;

/** The one module of an app another app may import: a folder, meaning its index.ts. */
export const PUBLIC_APP_ENTRIES = ['apps/aggregator/src/replay'];

export interface Violation {
  file: string;
  import: string;
  rule: string;
}

export interface SourceFile {
  /** Relative to the repository root, with `/`. */
  path: string;
  text: string;
}

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** The module names a file imports, in order. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** Where a relative import points, from the root (no extension, no trailing /index). */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return posix
    .normalize(posix.join(posix.dirname(file), spec))
    .replace(CODE, '')
    .replace(/\/index$/, '');
}

function appOf(path: string | undefined): string | undefined {
  return path?.match(/^apps\/([^/]+)\//)?.[1];
}

const isPackage = (spec: string, name: string) => spec === name || spec.startsWith(`${name}/`);

/** Every import of the files that breaks a rule. */
export function importViolations(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const { path, text } of files) {
    if (!CODE.test(path)) continue;
    const exemptFromKafkajs = path.startsWith('test/') || path.startsWith('bench/');
    for (const spec of importsOf(text)) {
      const to = target(path, spec);
      const add = (rule: string) => out.push({ file: path, import: spec, rule });
      if (isPackage(spec, 'kafkajs') && !exemptFromKafkajs && !path.startsWith('libs/streams/src/kafka/'))
        add(RULES.kafkajs);
      if (
        path.startsWith('libs/streams/src/core/') &&
        (isPackage(spec, 'kafkajs') || spec.startsWith('@nestjs/') || isPackage(spec, 'pg'))
      )
        add(RULES.core);
      const from = appOf(path);
      const toApp = appOf(to ? `${to}/` : undefined);
      if (from && toApp && toApp !== from && !PUBLIC_APP_ENTRIES.includes(to ?? '')) add(RULES.appToApp);
      if (path.startsWith('libs/') && toApp) add(RULES.libToApp);
      // The versioned migrations are frozen: they must not change when live code does. The runner (data-source,
      // migrate) is live code and may use the services' connection config.
      if (/^migrations\/\d+-[^/]+\.ts$/.test(path) && !path.endsWith('.spec.ts')) {
        const inside = to !== undefined && (to === 'migrations' || to.startsWith('migrations/'));
        if (!inside && !isPackage(spec, 'typeorm') && spec !== 'reflect-metadata' && !spec.startsWith('node:'))
          add(RULES.migration);
      }
    }
  }
  return out;
}

/** The repository's files as git lists them (tracked and new, not ignored). */
export function repositoryFiles(root: string): SourceFile[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed
    .split('\n')
    .filter((p) => CODE.test(p))
    .flatMap((p) => {
      try {
        return [{ path: p, text: readFileSync(join(root, p), 'utf8') }];
      } catch {
        return []; // deleted in the work tree, not yet in the index
      }
    });
}

export const REPOSITORY_ROOT = relative(process.cwd(), join(dirname(__filename), '..', '..')) || '.';
