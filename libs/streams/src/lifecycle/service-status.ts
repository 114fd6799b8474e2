/**
 * The status of one deployed service instance, spelled as in PRODUCT.md "Service lifecycle" (fourteen of them).
 * "Unresponsive" is not a status: a viewer derives it from the heartbeat (`isUnresponsive`), and "removed" is
 * the end of an instance (a tombstone on `service.status`), not a status either.
 */
export const ServiceStatus = {
  QueuedForBuild: 'QueuedForBuild',
  Building: 'Building',
  BuildSuccessful: 'BuildSuccessful',
  BuildFailed: 'BuildFailed',
  QueuedForDeployment: 'QueuedForDeployment',
  Deploying: 'Deploying',
  DeploymentFailed: 'DeploymentFailed',
  Starting: 'Starting',
  Running: 'Running',
  RuntimeError: 'RuntimeError',
  Completed: 'Completed',
  Stopping: 'Stopping',
  Stopped: 'Stopped',
  Deleting: 'Deleting',
} as const;

export type ServiceStatus = (typeof ServiceStatus)[keyof typeof ServiceStatus];

export const SERVICE_STATUSES: readonly ServiceStatus[] = Object.freeze(Object.values(ServiceStatus));

const S = ServiceStatus;

/** The statuses a new instance may start in. */
export const INITIAL_SERVICE_STATUSES: readonly ServiceStatus[] = Object.freeze([
  S.QueuedForBuild,
  S.QueuedForDeployment,
]);

/**
 * PRODUCT.md's transition table: from each status, the statuses that may follow. `Deleting` has none: the next
 * step is removal (`ServiceLifecycle.remove()`, a tombstone). Any other transition is a bug and is refused.
 */
export const SERVICE_STATUS_TRANSITIONS: Readonly<Record<ServiceStatus, readonly ServiceStatus[]>> = Object.freeze({
  QueuedForBuild: [S.Building],
  Building: [S.BuildSuccessful, S.BuildFailed],
  BuildSuccessful: [S.QueuedForDeployment],
  BuildFailed: [S.QueuedForBuild, S.Deleting],
  QueuedForDeployment: [S.Deploying],
  Deploying: [S.Starting, S.DeploymentFailed],
  Starting: [S.Running, S.DeploymentFailed, S.Stopping],
  Running: [S.Stopping, S.RuntimeError, S.Completed],
  RuntimeError: [S.QueuedForDeployment, S.Stopped],
  DeploymentFailed: [S.QueuedForDeployment, S.Deleting],
  Stopping: [S.Stopped],
  Stopped: [S.QueuedForDeployment, S.Deleting],
  Completed: [S.QueuedForDeployment, S.Deleting],
  Deleting: [],
});

/** Whether `to` may follow `from`; `from` null is a new instance. */
export function canTransition(from: ServiceStatus | null, to: ServiceStatus): boolean {
  return (from === null ? INITIAL_SERVICE_STATUSES : SERVICE_STATUS_TRANSITIONS[from]).includes(to);
}

/** Whether the value is one of the fourteen statuses (for readers of untrusted input). */
export function isServiceStatus(value: unknown): value is ServiceStatus {
  return typeof value === 'string' && (SERVICE_STATUSES as readonly string[]).includes(value);
}
