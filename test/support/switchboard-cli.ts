import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testEnv } from './env';

const root = join(__dirname, '..', '..');

/** Runs `bin/switchboard <args>` as an operator would, without a terminal (stdin ignored). */
export function runSwitchboard(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(root, 'bin/switchboard'), ...args], {
    env: { ...process.env, KAFKA_BROKERS: testEnv.brokers.join(','), DATABASE_URL: testEnv.databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

/** `switchboard replay <args>`. */
export function switchboardReplay(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): SpawnSyncReturns<string> {
  return runSwitchboard(['replay', ...args], env, timeoutMs);
}
