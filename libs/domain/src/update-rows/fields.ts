import { z } from 'zod';

/** The field types every row contract is built from (JSON as the aggregator publishes and Postgres holds it). */
export const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** A row version: grows by one at every change, from 1. */
export const rowVersion = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** A timestamptz as ISO text (`2026-11-25T09:00:00.000Z`). */
export const isoTime = z.iso.datetime({ offset: true });
/** A tenant, queue, meter or agent id (PRODUCT.md: 1–64 characters). */
export const entityId = z.string().min(1).max(64);

/** Epoch ms as the ISO text Postgres gives a timestamptz in JSON. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
