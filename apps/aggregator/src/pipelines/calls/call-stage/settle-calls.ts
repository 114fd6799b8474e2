import { type CallExpiry, type CallRecord, compactCall, expireCall, settleCall } from '../../../calls';
import type { CallHops } from './call-hops';
import type { CallStageParts } from './call-stage-parts';
import { splitStreamId } from './calls-input';

/** The tenant part of a call's stream id (`''` for an id that is not `<tenant>/<callId>`). */
export function tenantOfCall(key: string): string {
  return splitStreamId(key)?.tenant ?? '';
}

/**
 * Whether the call expired by its tenant's time (a started call without an end at start + max age): then its
 * `call_expired` row and its leaving the waiting gauge; the caller drops the call.
 */
export function expireIfDue(parts: CallStageParts, hops: CallHops, key: string, record: CallRecord): boolean {
  const tenant = tenantOfCall(key);
  const expiry = expireCall(record, parts.clocks.tenantTime(hops.partition, tenant), parts.settings.maxCallAgeMs);
  if (!expiry) return false;
  expired(parts, hops, tenant, expiry);
  return true;
}

function expired(parts: CallStageParts, hops: CallHops, tenant: string, expiry: CallExpiry): void {
  for (const item of expiry.dataQuality) parts.dq(tenant, item);
  if (expiry.waiting) hops.waiting(tenant, expiry.waiting);
}

/**
 * Once per newly sealed window: settled calls move to the compact store (orphans and inconsistencies become
 * data-quality rows now, once per settling), expired calls are dropped (a `call_expired` row; their gauge changes go
 * through `hops`), and settled calls whose windows all passed the horizon are forgotten. Run before the first event
 * judged at a newer sealed window, so what is reported does not depend on how events are batched.
 */
export function settleCalls(parts: CallStageParts, p: number, hops: CallHops): void {
  const c = parts.clocks.get(p);
  const store = parts.calls.get(p);
  const compact = parts.settledCalls.get(p);
  if (!c || !store || !compact) return;
  const sealed = parts.clocks.sealedBefore(p);
  if (!(sealed > c.settledBefore)) return;
  c.settledBefore = sealed;
  c.dirty = true;
  const { graceMs, restateForMs } = parts.settings;
  const done: string[] = [];
  const now = parts.clocks.streamTime(p);
  for (const [key, record] of store.snapshot().entries) {
    if (expireIfDue(parts, hops, key, record)) {
      done.push(key);
      continue;
    }
    const s = settleCall(record, sealed);
    if (!s.settled) continue;
    done.push(key);
    if (restateForMs > 0) compact.set(key, compactCall(record), now - graceMs);
    const tenant = tenantOfCall(key);
    for (const item of s.dataQuality) parts.dq(tenant, item);
  }
  for (const key of done) store.delete(key);
  compact.expire(now - graceMs);
}
