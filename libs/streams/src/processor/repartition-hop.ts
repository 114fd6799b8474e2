import { StreamsDecodeError } from '../core/errors';
import type {
  GroupTime,
  RepartitionBoundary,
  RepartitionMessage,
  RepartitionSnapshot,
} from '../core/processing/repartition';
import type { OutboxRecord } from '../postgres/checkpoint-store';
import type { CheckpointedState } from './topology';

/**
 * A `groupBy` across a topic hop. Stage 1 runs a RepartitionBoundary and writes what it emits through the
 * outbox (in its checkpoint transaction, so each record is written exactly once); the relay publishes it
 * at least once; stage 2 decodes it and drops repeats by the per-source sequence.
 *
 * Repartition topic messages (any Kafka client can read them):
 * - record: key = the new key; headers `sb-model: repartition-record`, `sb-source`, `sb-sequence`;
 *   value = JSON `{"timestamp": ms, "value": …, "retract"?: true}`.
 * - time: sent to EVERY partition (explicit partition), key null; headers `sb-model: repartition-time`,
 *   `sb-source`; value = JSON `{"streamTime": ms}`, and with the boundary's `timeGroup` also
 *   `"groups": [[group, ms] | [group, ms, first, firstAt], …]` (the groups that moved). Stage 2 runs on the
 *   minimum over its sources' times (with `closeBy`, each group on the minimum of its own).
 */
export const REPARTITION_RECORD = 'repartition-record';
export const REPARTITION_TIME = 'repartition-time';

export function repartitionOutbox<V>(
  topic: string,
  partitions: number,
  messages: readonly RepartitionMessage<V>[],
): OutboxRecord[] {
  const out: OutboxRecord[] = [];
  for (const m of messages) {
    if (m.kind === 'record') {
      out.push({
        topic,
        key: m.key,
        headers: {
          'sb-model': REPARTITION_RECORD,
          'sb-source': String(m.sourcePartition),
          'sb-sequence': String(m.sequence),
        },
        value: Buffer.from(
          JSON.stringify(
            m.retract
              ? { timestamp: m.timestamp, value: m.value, retract: true }
              : { timestamp: m.timestamp, value: m.value },
          ),
        ),
      });
    } else {
      const value = Buffer.from(
        JSON.stringify(
          m.groups === undefined ? { streamTime: m.streamTime } : { streamTime: m.streamTime, groups: m.groups },
        ),
      );
      for (let p = 0; p < partitions; p++) {
        out.push({
          topic,
          partition: p,
          key: null,
          headers: { 'sb-model': REPARTITION_TIME, 'sb-source': String(m.sourcePartition) },
          value,
        });
      }
    }
  }
  return out;
}

/** Reads one repartition topic message back; throws StreamsDecodeError for anything else. */
export function decodeRepartition<V>(
  key: string | null,
  headers: Record<string, string>,
  value: Buffer | null,
): RepartitionMessage<V> {
  const source = Number(headers['sb-source']);
  if (!Number.isInteger(source) || source < 0)
    throw new StreamsDecodeError(`repartition message without a valid sb-source header (${headers['sb-source']})`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(value?.toString('utf8') ?? 'null');
  } catch (err) {
    throw new StreamsDecodeError(`repartition message value is not JSON: ${(err as Error).message}`);
  }
  if (body === null || typeof body !== 'object')
    throw new StreamsDecodeError('repartition message value must be a JSON object');
  if (headers['sb-model'] === REPARTITION_TIME) {
    if (typeof body.streamTime !== 'number')
      throw new StreamsDecodeError('repartition time marker needs a numeric streamTime');
    if (body.groups === undefined) return { kind: 'time', sourcePartition: source, streamTime: body.streamTime };
    return { kind: 'time', sourcePartition: source, streamTime: body.streamTime, groups: groupTimes(body.groups) };
  }
  if (headers['sb-model'] !== REPARTITION_RECORD)
    throw new StreamsDecodeError(`not a repartition message (sb-model ${headers['sb-model']})`);
  const sequence = Number(headers['sb-sequence']);
  if (key === null || !Number.isInteger(sequence) || typeof body.timestamp !== 'number') {
    throw new StreamsDecodeError('repartition record needs a key, an sb-sequence header and a numeric timestamp');
  }
  return {
    kind: 'record',
    key,
    value: body.value as V,
    timestamp: body.timestamp,
    sourcePartition: source,
    sequence,
    ...(body.retract === true ? { retract: true } : {}),
  };
}

function groupTimes(value: unknown): GroupTime[] {
  const ok =
    Array.isArray(value) &&
    value.every(
      (g) =>
        Array.isArray(g) &&
        typeof g[0] === 'string' &&
        (g.length === 2 || g.length === 4) &&
        g.slice(1).every((t: unknown) => typeof t === 'number'),
    );
  if (!ok)
    throw new StreamsDecodeError(
      'repartition time marker groups must be [[group, ms] | [group, ms, first, firstAt], …]',
    );
  return value as GroupTime[];
}

/** A RepartitionBoundary's per-partition state (sequence, stream time) as a CheckpointedState. */
export function repartitionState<V>(name: string, boundary: RepartitionBoundary<V>): CheckpointedState {
  return {
    name,
    restore: (p, state) => boundary.restore(p, (state?.meta ?? undefined) as RepartitionSnapshot | undefined),
    changes: (p) => ({ meta: boundary.snapshot(p) }),
    markCheckpointed: () => undefined,
    revoke: (p) => boundary.revoke(p),
  };
}
