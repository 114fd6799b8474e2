import type { StreamingClient } from '@switchboard/streams';
import type { OffsetRanges } from './replay-plan';

/** First and end offsets of each partition of the topics that exist (a missing topic holds nothing to read or skip). */
export async function readOffsetRanges(client: StreamingClient, topics: readonly string[]): Promise<OffsetRanges> {
  const out = new Map<string, Map<number, { start: bigint; end: bigint }>>();
  for (const topic of topics) if (await client.topicExists(topic)) out.set(topic, await client.offsetRanges(topic));
  return out;
}
