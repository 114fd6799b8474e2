/**
 * Stream time of one partition's operator.
 *
 * Every input (the partition itself, or after a repartition hop each upstream partition) keeps the
 * highest event timestamp it has delivered. The operator's stream time is the MINIMUM over its inputs,
 * so a backlog on one input never makes another input's records late. Times only move forward.
 *
 * Idling (live mode only): an input that delivered nothing for `idleMs` of wall-clock time advances with
 * the wall clock from where it was: `anchorTime + (now − lastActivity)`. An input that never delivered
 * anything waits for its first record or time marker (except a repartition boundary's own source, which
 * starts from `now − idleMs`). Replays never idle.
 */
export class InputTime {
  /** Highest event time seen (or reached by idling); -Infinity before anything arrived. */
  time = Number.NEGATIVE_INFINITY;
  /** Stream time at the last activity, the starting point for idle advancement. */
  anchorTime = Number.NEGATIVE_INFINITY;
  /** Wall-clock time of the last record or time marker. */
  lastActivity: number;
  /** Highest upstream sequence number accepted (repartitioned inputs); -1 before any. */
  sequence = -1;

  constructor(
    readonly source: number,
    now: number,
  ) {
    this.lastActivity = now;
  }
}

export class PartitionClock {
  readonly inputs: InputTime[];
  /** min over inputs of their time. */
  time = Number.NEGATIVE_INFINITY;

  /** `sources`: the input ids (upstream partitions); a single input for an unrepartitioned partition. */
  constructor(sources: readonly number[], now: number) {
    this.inputs = sources.map((s) => new InputTime(s, now));
  }

  /** Records activity with event time `ts` on `input`; returns true when the operator's time moved. */
  observe(input: InputTime, ts: number, now: number): boolean {
    input.lastActivity = now;
    if (ts > input.time) {
      const wasMin = input.time === this.time;
      input.time = ts;
      input.anchorTime = ts;
      if (wasMin) return this.recompute();
      return false;
    }
    input.anchorTime = input.time;
    return false;
  }

  /** Advances idle inputs to the wall clock; returns true when the operator's time moved. */
  /**
   * `startFromNothing`: an input that never reported starts at `now − idleMs` (a repartition boundary's empty
   * source, whose ticks come only while its consumer is caught up); otherwise such an input waits.
   */
  idle(now: number, idleMs: number, startFromNothing = false): boolean {
    let moved = false;
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i];
      // An input that never reported has no event time to advance from. Starting it at the wall clock would
      // make a backlog still to come from it (history being replayed, an upstream catching up) all late; it
      // waits for its first record or time marker instead (an empty upstream partition announces one).
      if (input.anchorTime === Number.NEGATIVE_INFINITY && !startFromNothing) continue;
      const quiet = now - input.lastActivity;
      if (quiet < idleMs) continue;
      const t = input.anchorTime === Number.NEGATIVE_INFINITY ? now - idleMs : input.anchorTime + quiet;
      if (t > input.time) {
        input.time = t;
        moved = true;
      }
    }
    return moved ? this.recompute() : false;
  }

  /** Resumes at a checkpointed stream time (every input at it); -Infinity or null leaves the clock unstarted. */
  resumeAt(time: number | null | undefined): void {
    if (typeof time !== 'number' || !Number.isFinite(time)) return;
    for (const input of this.inputs) {
      input.time = time;
      input.anchorTime = time;
    }
    this.time = time;
  }

  /** Marks every input active at `now` (after a restore or a switch to live mode). */
  touchAll(now: number): void {
    for (const input of this.inputs) {
      input.lastActivity = now;
      input.anchorTime = input.time;
    }
  }

  private recompute(): boolean {
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.inputs.length; i++) {
      const t = this.inputs[i].time;
      if (t < m) m = t;
    }
    if (m > this.time) {
      this.time = m;
      return true;
    }
    return false;
  }
}
