import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testEnv } from './env';

const root = join(__dirname, '..', '..');

/** Runs `bin/switchboard replay <args>` as an operator would, without a terminal (stdin ignored). */
export function switchboardReplay(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(root, 'bin/switchboard'), 'replay', ...args], {
    env: { ...process.env, KAFKA_BROKERS: testEnv.brokers.join(','), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}
