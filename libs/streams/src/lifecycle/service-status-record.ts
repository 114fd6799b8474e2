import { z } from 'zod';
import { StreamsDecodeError } from '../core/errors';
import { SERVICE_STATUSES, type ServiceStatus } from './service-status';

/** The compacted topic of instance statuses (apps put their namespace in front, like every topic). */
export const SERVICE_STATUS_TOPIC = 'service.status';
/** The `sb-model` header value of a status record (the header name is the codec's `MODEL_HEADER`). */
export const SERVICE_STATUS_MODEL = 'service-status';
/** How often a running publisher re-publishes its status (the heartbeat), by default. */
export const DEFAULT_HEARTBEAT_MS = 5000;
/** Heartbeats missed before a viewer calls an instance unresponsive. */
export const UNRESPONSIVE_AFTER_HEARTBEATS = 3;
/** A status record's value is at most this many bytes; `detail` at most MAX_DETAIL_LENGTH characters. */
export const MAX_STATUS_VALUE_BYTES = 16 * 1024;
export const MAX_DETAIL_LENGTH = 1000;

const epochMs = z.number().int().min(0).max(8.64e15, 'must be a time in epoch milliseconds');

const recordSchema = z
  .object({
    service: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1–100 letters, digits, ".", "_" or "-"'),
    instanceId: z.string().min(1).max(200),
    status: z.enum(SERVICE_STATUSES as [ServiceStatus, ...ServiceStatus[]]),
    since: epochMs,
    heartbeatAt: epochMs,
    host: z.string().min(1).max(255),
    pid: z
      .number()
      .int()
      .min(1)
      .max(2 ** 32),
    version: z.string().min(1).max(100).optional(),
    detail: z.string().max(MAX_DETAIL_LENGTH).optional(),
  })
  .refine((r) => r.heartbeatAt >= r.since, { path: ['heartbeatAt'], message: 'must not be before since' });

/**
 * The value of a `service.status` record (JSON): the instance's status, `since` (epoch ms of its last
 * transition), `heartbeatAt` (epoch ms this record was written), where it runs, and an optional detail.
 */
export type ServiceStatusRecord = z.infer<typeof recordSchema>;

/** `<service>/<instanceId>`: the record key (the service has no `/`, so the first `/` splits it). */
export function serviceStatusKey(service: string, instanceId: string): string {
  return `${service}/${instanceId}`;
}

/**
 * Reads a `service.status` value: the record, or null for a tombstone (the instance was removed). A value
 * that is not such a record (malformed JSON, a field missing or out of range, more than 16 KiB) throws
 * `StreamsDecodeError` naming the field.
 */
export function readServiceStatus(value: Buffer | string | null | undefined): ServiceStatusRecord | null {
  if (value === null || value === undefined) return null;
  const bytes = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (bytes > MAX_STATUS_VALUE_BYTES)
    throw new StreamsDecodeError(`a service status value holds at most ${MAX_STATUS_VALUE_BYTES} bytes; got ${bytes}`, {
      context: { bytes },
    });
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (err) {
    throw new StreamsDecodeError(`a service status value must be JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
    throw new StreamsDecodeError(`not a service status record: ${issues}`, { context: { issues } });
  }
  return parsed.data;
}

/** Statuses in which a process works and heartbeats; in the others (queued, failed, ended) silence is expected. */
const ACTIVE: ReadonlySet<ServiceStatus> = new Set([
  'Building',
  'Deploying',
  'Starting',
  'Running',
  'Stopping',
  'Deleting',
]);

/**
 * The viewer's derived "unresponsive" (not a status): an instance in a status where its process runs
 * (Building … Running, Stopping, Deleting) whose last heartbeat is older than 3 × `heartbeatMs`.
 */
export function isUnresponsive(record: ServiceStatusRecord, now: number, heartbeatMs = DEFAULT_HEARTBEAT_MS): boolean {
  if (!ACTIVE.has(record.status)) return false;
  return now - record.heartbeatAt > UNRESPONSIVE_AFTER_HEARTBEATS * heartbeatMs;
}
