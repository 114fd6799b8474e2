import type { StreamingClient } from '@switchboard/streams';
import { ReplayRefusedError } from './replay-errors';

/** A consumer group as the broker describes it (StreamingClient.describeConsumerGroups). */
export interface GroupState {
  groupId: string;
  state: string;
  members: number;
}

/** The Kafka consumer groups `<groupPrefix>.*` (any the aggregator ever ran, and the alert rules'). */
export function aggregatorGroupsInKafka(client: StreamingClient, groupPrefix: string): Promise<GroupState[]> {
  return client.describeConsumerGroups(`${groupPrefix}.`);
}

/** Refuses (nothing changed) while any of the groups has members: a live aggregator would fight the replay. */
export function refuseWhileActive(groups: readonly GroupState[], groupPrefix: string): void {
  const active = groups.filter((g) => g.members > 0);
  if (active.length === 0) return;
  throw new ReplayRefusedError(
    `refusing to replay while aggregators are running: stop every instance with group prefix "${groupPrefix}" first (nothing was changed)`,
    { activeGroups: active.map((g) => `${g.groupId}: ${g.members} members`).join('; ') },
  );
}
