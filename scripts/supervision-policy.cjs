// The pure part of `npm start`'s supervision (scripts/supervisor.mjs drives it): when a service that exited is
// started again, when its crashes are a loop, and the one report a loop gets. No I/O, no clock of its own;
// CommonJS so that Jest loads it as it is (scripts/supervision-policy.spec.ts).
'use strict';

/** Restart delays: 1 s after a crash, doubling on every crash after it, at most 30 s; 60 s of Running start over. */
const BACKOFF = Object.freeze({ initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 });

/** A loop: this many crashes within `withinMs`; its report shows the last `tailLines` lines the service wrote. */
const CRASH_LOOP = Object.freeze({ crashes: 3, withinMs: 60_000, tailLines: 10 });

/** The delay before restart number `attempt` (1 = the first restart after Running). */
function backoffMs(attempt, backoff = BACKOFF) {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * One service's restarts. `crashed(at, runningSince)` is called when the process exited without being asked
 * (`runningSince`: when it was last seen Running, undefined when it never was) and says how long to wait and
 * what to tell the person: `crash` (one line), `crash-loop` (the one report of a loop), `quiet` (a loop
 * already reported). The back-off and the loop start over once the service ran `resetAfterMs`.
 */
class RestartPolicy {
  constructor({ backoff = BACKOFF, crashLoop = CRASH_LOOP } = {}) {
    this.backoff = backoff;
    this.crashLoop = crashLoop;
    this.attempt = 0;
    this.recent = [];
    this.looping = false;
  }

  crashed(at, runningSince) {
    if (runningSince !== undefined && at - runningSince >= this.backoff.resetAfterMs) {
      this.attempt = 0;
      this.recent = [];
      this.looping = false;
    }
    this.attempt += 1;
    this.recent = [...this.recent.filter((t) => at - t < this.crashLoop.withinMs), at];
    let report = 'crash';
    if (this.looping) report = 'quiet';
    else if (this.recent.length >= this.crashLoop.crashes) {
      this.looping = true;
      report = 'crash-loop';
    }
    return {
      attempt: this.attempt,
      delayMs: backoffMs(this.attempt, this.backoff),
      report,
      crashesInWindow: this.recent.length,
      windowMs: at - this.recent[0],
    };
  }
}

/** How a process ended, for a person: the signal, else the exit code. */
function describeExit(code, signal) {
  return signal ? signal : `exit code ${code}`;
}

/** The last `size` lines written, oldest first. */
class LogTail {
  constructor(size = CRASH_LOOP.tailLines) {
    this.size = size;
    this.kept = [];
  }

  push(line) {
    this.kept.push(line);
    if (this.kept.length > this.size) this.kept.shift();
  }

  lines() {
    return [...this.kept];
  }
}

const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;

/** The line for one crash that is not (yet) a loop. */
function crashLine(name, exit, delayMs) {
  return `${name} exited (${exit}); restarting in ${seconds(delayMs)}`;
}

/** The one report of a crash loop: a line, then the service's last lines indented under it. */
function crashLoopReport({ name, exit, crashes, windowMs, delayMs, maxMs = BACKOFF.maxMs, tail }) {
  const head =
    `${name} is crash-looping: ${crashes} crashes in ${seconds(windowMs)} (last: ${exit}); restarting with back-off ` +
    `(next in ${seconds(delayMs)}, at most ${seconds(maxMs)}), its output hidden until it runs again` +
    (tail.length > 0 ? `; its last ${tail.length} lines:` : '');
  return [head, ...tail.map((line) => `    ${line}`)].join('\n');
}

module.exports = { BACKOFF, CRASH_LOOP, backoffMs, RestartPolicy, describeExit, LogTail, crashLine, crashLoopReport };
