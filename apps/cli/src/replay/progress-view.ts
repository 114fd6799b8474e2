import { SingleBar } from 'cli-progress';
import type { ReplayPhase, ReplayProgress } from '../../../aggregator/src/replay';

const PHASES: Record<ReplayPhase, string> = {
  inputs: 'reading the events topics',
  outbox: 'publishing the outbox',
  followers: 'queue stage and alert rules catching up',
  done: 'done',
};

export interface ProgressView {
  update(p: ReplayProgress): void;
  stop(): void;
}

/**
 * The replay's progress on stderr: a bar on a terminal; otherwise a plain line every `everyMs` (logs stay
 * readable) and one at the end.
 */
export function progressView(out: NodeJS.WriteStream, everyMs = 5000): ProgressView {
  const rate = (p: ReplayProgress) => Math.round(Number(p.replayed) / Math.max(0.001, p.elapsedMs / 1000));
  if (out.isTTY) {
    const bar = new SingleBar({
      format: ' replay {bar} {percentage}% | {value}/{total} records | {rate} records/s | {phase}',
      stream: out,
      hideCursor: true,
    });
    let started = false;
    return {
      update(p) {
        const payload = { rate: rate(p), phase: PHASES[p.phase] };
        if (!started) bar.start(Number(p.total), Number(p.replayed), payload);
        else bar.update(Number(p.replayed), payload);
        started = true;
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest: ReplayProgress | undefined;
  const line = (p: ReplayProgress) =>
    out.write(
      `replay: ${Math.floor(p.fraction * 100)}% (${p.replayed} of ${p.total} records, ${rate(p)} records/s, ${PHASES[p.phase]})\n`,
    );
  return {
    update(p) {
      latest = p;
      if (Date.now() - last < everyMs) return;
      last = Date.now();
      line(p);
    },
    stop() {
      if (latest?.phase === 'done') line(latest);
    },
  };
}
