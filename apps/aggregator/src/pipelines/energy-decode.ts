import { ID_PATTERN, parseStreamId } from '@switchboard/domain';
import { type ConsumedMessage, decode, type RawMessage, StreamsDecodeError } from '@switchboard/streams';

/**
 * The streams wire format, plus the checks our tables need before anything reaches SQL: the stream id must
 * be `<tenant>/<entityId>` with both parts in the id charset. Anything else cannot be attributed to a tenant
 * (data_quality_events needs one) and would fail the tables' CHECKs inside a checkpoint — so it goes to the
 * dead-letter topic here, with its provenance, and processing continues.
 */
export function decodeEntityMessage(partition: number, m: RawMessage): ConsumedMessage {
  const d = decode(m.key, m.headers, m.value);
  let parts: { tenant: string; entityId: string };
  try {
    parts = parseStreamId(d.streamId);
  } catch (err) {
    throw new StreamsDecodeError((err as Error).message);
  }
  if (!ID_PATTERN.test(parts.tenant) || !ID_PATTERN.test(parts.entityId)) {
    throw new StreamsDecodeError(`stream id "${d.streamId.slice(0, 200)}" has characters outside [A-Za-z0-9._:-]`);
  }
  return { partition, offset: m.offset, streamId: d.streamId, message: d.message };
}
