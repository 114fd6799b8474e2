import { StreamsError } from '../core/errors';
import { InvalidStatusTransitionError } from './invalid-status-transition-error';
import { type LifecycleChange, ServiceLifecycle } from './service-lifecycle';

function refusal(work: () => void): InvalidStatusTransitionError {
  try {
    work();
  } catch (err) {
    if (err instanceof InvalidStatusTransitionError) return err;
    throw err;
  }
  throw new Error('expected the transition to be refused');
}

describe('a refused transition', () => {
  it('is one sentence naming the statuses that may follow, with from/to/instance as context', () => {
    let clock = 1000;
    const l = new ServiceLifecycle({ service: 'aggregator', instanceId: 'a-1', now: () => clock });
    l.transition('Deploying');
    l.transition('Starting');
    clock = 2000;
    l.transition('Running');
    const err = refusal(() => l.transition('Deploying'));
    expect(err).toBeInstanceOf(StreamsError);
    expect(err.name).toBe('InvalidStatusTransitionError');
    expect(err.retriable).toBe(false);
    expect(err.message).toBe(
      'aggregator/a-1 cannot go from Running to Deploying: after Running comes Stopping, RuntimeError or Completed.',
    );
    expect(err.context).toEqual({ from: 'Running', to: 'Deploying', instance: 'aggregator/a-1' });
    expect({ status: l.status, since: l.since }).toEqual({ status: 'Running', since: 2000 });
  });

  it('names the single next status, the start of a new instance and removal', () => {
    const l = new ServiceLifecycle({ service: 'ingest', instanceId: 'h-7' });
    expect(refusal(() => l.transition('Running')).message).toBe(
      'ingest/h-7 cannot go from QueuedForDeployment to Running: after QueuedForDeployment comes only Deploying.',
    );
    expect(refusal(() => l.remove()).context).toEqual({
      from: 'QueuedForDeployment',
      to: 'removed',
      instance: 'ingest/h-7',
    });
    const fresh = refusal(() => new ServiceLifecycle({ service: 'ingest', instanceId: 'h-8', initial: 'Running' }));
    expect(fresh.message).toBe(
      'ingest/h-8 cannot start in Running: a new instance starts in QueuedForBuild or QueuedForDeployment.',
    );
    expect(fresh.context).toEqual({ from: null, to: 'Running', instance: 'ingest/h-8' });
    const deleting = new ServiceLifecycle({ service: 'job', instanceId: 'j', initial: 'QueuedForBuild' });
    deleting.transition('Building');
    deleting.transition('BuildFailed');
    deleting.transition('Deleting');
    expect(refusal(() => deleting.transition('Stopped')).message).toBe(
      'job/j cannot go from Deleting to Stopped: after Deleting comes only removal.',
    );
  });

  it('tells listeners nothing; allowed ones are heard in order', () => {
    const l = new ServiceLifecycle({ service: 's', instanceId: 'i', now: () => 5 });
    const heard: LifecycleChange[] = [];
    l.onChange((c) => heard.push(c));
    l.transition('Deploying', 'boot');
    refusal(() => l.transition('Running'));
    expect(heard).toEqual([
      { kind: 'transition', from: 'QueuedForDeployment', to: 'Deploying', since: 5, detail: 'boot' },
    ]);
  });

  it('refuses a service name that would break the key', () => {
    expect(() => new ServiceLifecycle({ service: 'a/b', instanceId: 'i' })).toThrow(/service must be/);
    expect(() => new ServiceLifecycle({ service: 'a', instanceId: '' })).toThrow(/instanceId must be/);
  });
});
