import type { StreamsLogger } from '@switchboard/streams';

/** A logger that keeps the warnings and errors of `name` as timestamped lines (ms within 100 s), for a test to print. */
export function recordingLogger(name: string, log: string[]): StreamsLogger {
  const line = (level: string) => (m: string, c?: Record<string, unknown>) =>
    log.push(`${Date.now() % 100_000} ${name} ${level} ${m}${c ? ` ${JSON.stringify(c)}` : ''}`);
  return { debug: () => {}, info: () => {}, warn: line('warn'), error: line('error') };
}
