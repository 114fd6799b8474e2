import { InvalidStatusTransitionError } from './invalid-status-transition-error';
import { ServiceLifecycle } from './service-lifecycle';
import { SERVICE_STATUSES, type ServiceStatus } from './service-status';

// PRODUCT.md "Service lifecycle", copied as written (not from the implementation): every pair of statuses
// is checked against it, each allowed one must pass and every other one must be refused.
const PRODUCT_TABLE = `
| (new instance) | \`QueuedForBuild\`, \`QueuedForDeployment\` |
| \`QueuedForBuild\` | \`Building\` |
| \`Building\` | \`BuildSuccessful\`, \`BuildFailed\` |
| \`BuildSuccessful\` | \`QueuedForDeployment\` |
| \`BuildFailed\` | \`QueuedForBuild\`, \`Deleting\` |
| \`QueuedForDeployment\` | \`Deploying\` |
| \`Deploying\` | \`Starting\`, \`DeploymentFailed\` |
| \`Starting\` | \`Running\`, \`DeploymentFailed\`, \`Stopping\` |
| \`Running\` | \`Stopping\`, \`RuntimeError\` (crashed), \`Completed\` (a job that finished) |
| \`RuntimeError\` | \`QueuedForDeployment\` (restart with back-off), \`Stopped\` |
| \`DeploymentFailed\` | \`QueuedForDeployment\`, \`Deleting\` |
| \`Stopping\` | \`Stopped\` |
| \`Stopped\`, \`Completed\` | \`QueuedForDeployment\`, \`Deleting\` |
| \`Deleting\` | (removed) |
`;

const names = (cell: string) => [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1]);
const allowed = new Map<string, Set<string>>();
for (const line of PRODUCT_TABLE.trim().split('\n')) {
  const [, from, to] = line.split('|').map((c) => c.trim());
  for (const f of from === '(new instance)' ? ['(new instance)'] : names(from)) allowed.set(f, new Set(names(to)));
}
const statuses = [...new Set([...allowed.values()].flatMap((s) => [...s]).concat([...allowed.keys()]))].filter(
  (s) => s !== '(new instance)',
);

/** A lifecycle standing at `status`, reached along the table from its first status (breadth-first). */
function at(status: string): ServiceLifecycle {
  const paths = new Map<string, string[]>([...(allowed.get('(new instance)') ?? [])].map((s) => [s, [s]]));
  const queue = [...paths.keys()];
  while (queue.length > 0) {
    const s = queue.shift() as string;
    for (const next of allowed.get(s) ?? []) {
      if (!paths.has(next)) {
        paths.set(next, [...(paths.get(s) as string[]), next]);
        queue.push(next);
      }
    }
  }
  const [first, ...rest] = paths.get(status) as ServiceStatus[];
  const lifecycle = new ServiceLifecycle({ service: 'svc', instanceId: 'i-1', initial: first });
  for (const s of rest) lifecycle.transition(s);
  return lifecycle;
}

describe('status transitions follow PRODUCT.md', () => {
  it('knows exactly the statuses PRODUCT.md names', () => {
    expect([...SERVICE_STATUSES].sort()).toEqual([...statuses].sort());
    expect(statuses).toHaveLength(14);
  });

  const pairs = statuses.flatMap((from) =>
    statuses.map((to) => [from, to, allowed.get(from)?.has(to) ?? false] as const),
  );

  it.each(pairs)('%s → %s allowed: %s', (from, to, ok) => {
    const lifecycle = at(from);
    if (ok) {
      lifecycle.transition(to as ServiceStatus, 'why');
      expect(lifecycle.status).toBe(to);
      expect(lifecycle.detail).toBe('why');
    } else {
      expect(() => lifecycle.transition(to as ServiceStatus)).toThrow(InvalidStatusTransitionError);
      expect(lifecycle.status).toBe(from);
    }
  });

  it.each(statuses)('a new instance may start in %s only as the table says', (status) => {
    const create = () => new ServiceLifecycle({ service: 'svc', instanceId: 'i-1', initial: status as ServiceStatus });
    if (allowed.get('(new instance)')?.has(status)) expect(create().status).toBe(status);
    else expect(create).toThrow(InvalidStatusTransitionError);
  });

  it.each(statuses)('%s may be removed only when it is Deleting', (status) => {
    const lifecycle = at(status);
    if (status === 'Deleting') {
      lifecycle.remove();
      expect(lifecycle.removed).toBe(true);
      expect(() => lifecycle.transition('QueuedForDeployment')).toThrow(InvalidStatusTransitionError);
    } else {
      expect(() => lifecycle.remove()).toThrow(InvalidStatusTransitionError);
      expect(lifecycle.removed).toBe(false);
    }
  });
});
