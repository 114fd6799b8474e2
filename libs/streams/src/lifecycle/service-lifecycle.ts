import { StreamsConfigError } from '../core/errors';
import { InvalidStatusTransitionError } from './invalid-status-transition-error';
import { canTransition, type ServiceStatus } from './service-status';

export interface ServiceLifecycleOptions {
  /** The service's name, e.g. `aggregator`: letters, digits, `.`, `_`, `-` (it is the first part of the key). */
  service: string;
  /** This instance, e.g. `aggregator-1` or `<host>-<pid>`. */
  instanceId: string;
  /** `QueuedForDeployment` (default) or `QueuedForBuild`. */
  initial?: ServiceStatus;
  /** Epoch milliseconds; tests pass a fixed clock. */
  now?: () => number;
}

/** What a listener hears: the new status, or the removal of the instance (after `Deleting`). */
export type LifecycleChange =
  | { kind: 'transition'; from: ServiceStatus; to: ServiceStatus; since: number; detail: string | undefined }
  | { kind: 'removed'; at: number };

const SERVICE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * One instance's status, moved only along PRODUCT.md's table: `transition(to)` refuses any other step with an
 * `InvalidStatusTransitionError` and leaves the status as it was. Pure (no Kafka): `ServiceStatusPublisher`
 * listens and publishes.
 */
export class ServiceLifecycle {
  readonly service: string;
  readonly instanceId: string;
  private current: ServiceStatus;
  private sinceMs: number;
  private lastDetail: string | undefined;
  private gone = false;
  private readonly listeners = new Set<(change: LifecycleChange) => void>();
  private readonly now: () => number;

  constructor(opts: ServiceLifecycleOptions) {
    if (!SERVICE_NAME.test(opts?.service ?? ''))
      throw new StreamsConfigError(
        `service must be 1–100 letters, digits, ".", "_" or "-" (it starts the status key); got ${JSON.stringify(opts?.service)}`,
      );
    if (typeof opts.instanceId !== 'string' || opts.instanceId.length === 0 || opts.instanceId.length > 200)
      throw new StreamsConfigError(
        `instanceId must be 1–200 characters, e.g. "<host>-<pid>"; got ${JSON.stringify(opts.instanceId)}`,
      );
    this.service = opts.service;
    this.instanceId = opts.instanceId;
    this.now = opts.now ?? Date.now;
    const initial = opts.initial ?? 'QueuedForDeployment';
    if (!canTransition(null, initial)) throw new InvalidStatusTransitionError(this.instance, null, initial);
    this.current = initial;
    this.sinceMs = this.now();
  }

  /** `<service>/<instanceId>`: the key on `service.status`. */
  get instance(): string {
    return `${this.service}/${this.instanceId}`;
  }

  get status(): ServiceStatus {
    return this.current;
  }

  /** Epoch milliseconds of the last transition (or of the creation). */
  get since(): number {
    return this.sinceMs;
  }

  /** What the last transition said about itself (an error message, a signal), if anything. */
  get detail(): string | undefined {
    return this.lastDetail;
  }

  /** True once `remove()` ended the instance. */
  get removed(): boolean {
    return this.gone;
  }

  canTransition(to: ServiceStatus): boolean {
    return !this.gone && canTransition(this.current, to);
  }

  /** Moves to `to`, or throws `InvalidStatusTransitionError` (status unchanged) when the table does not allow it. */
  transition(to: ServiceStatus, detail?: string): void {
    if (!this.canTransition(to)) throw new InvalidStatusTransitionError(this.instance, this.current, to);
    const from = this.current;
    this.current = to;
    this.sinceMs = this.now();
    this.lastDetail = detail;
    this.emit({ kind: 'transition', from, to, since: this.sinceMs, detail });
  }

  /** Ends the instance (its key is removed from `service.status`); only from `Deleting`. */
  remove(): void {
    if (this.gone || this.current !== 'Deleting')
      throw new InvalidStatusTransitionError(this.instance, this.current, 'removed');
    this.gone = true;
    this.emit({ kind: 'removed', at: this.now() });
  }

  /** Calls the listener on every change, in order; returns the function that unsubscribes it. */
  onChange(listener: (change: LifecycleChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: LifecycleChange): void {
    for (const l of this.listeners) l(change);
  }
}
