// Types of scripts/supervision-policy.cjs, for its spec.
export interface Backoff {
  initialMs: number;
  maxMs: number;
  resetAfterMs: number;
}
export interface CrashLoop {
  crashes: number;
  withinMs: number;
  tailLines: number;
}
export declare const BACKOFF: Readonly<Backoff>;
export declare const CRASH_LOOP: Readonly<CrashLoop>;
export declare function backoffMs(attempt: number, backoff?: Backoff): number;
export interface RestartDecision {
  attempt: number;
  delayMs: number;
  report: 'crash' | 'crash-loop' | 'quiet';
  crashesInWindow: number;
  windowMs: number;
}
export declare class RestartPolicy {
  constructor(opts?: { backoff?: Backoff; crashLoop?: CrashLoop });
  crashed(at: number, runningSince: number | undefined): RestartDecision;
}
export declare function describeExit(code: number | null, signal: string | null): string;
export declare class LogTail {
  constructor(size?: number);
  push(line: string): void;
  lines(): string[];
}
export declare function crashLine(name: string, exit: string, delayMs: number): string;
export declare function crashLoopReport(o: {
  name: string;
  exit: string;
  crashes: number;
  windowMs: number;
  delayMs: number;
  maxMs?: number;
  tail: string[];
}): string;
