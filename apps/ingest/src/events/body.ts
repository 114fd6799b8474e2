import type { IncomingMessage } from 'node:http';
import { ApiError } from '../http/api-error';

/**
 * Reads a request body up to `maxBytes`. Refuses by Content-Length before reading when it can; a body
 * that grows past the limit is abandoned (413) instead of buffered.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(maxBytes: number): ApiError {
  return ApiError.payloadTooLarge(`request body exceeds ${maxBytes} bytes`);
}

/** An NDJSON line that is not JSON: reported by index like any other invalid item. */
export class UnparseableItem {
  constructor(readonly error: string) {}
}

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'];

export function isNdjson(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return NDJSON_TYPES.includes(media);
}

/**
 * Splits a body into items: a JSON array, or NDJSON (one event a line; blank lines skipped, so the
 * index of an item is its position among non-blank lines). A body that yields nothing parseable is 400.
 */
export function parseBatch(body: Buffer, contentType: string | undefined, maxEvents: number): unknown[] {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw ApiError.badRequest('request body is empty; send a JSON array of events or NDJSON');
  const items = isNdjson(contentType) ? parseNdjson(text, maxEvents) : parseJsonArray(text);
  if (items.length > maxEvents) throw tooMany(maxEvents);
  return items;
}

function tooMany(maxEvents: number): ApiError {
  return ApiError.payloadTooLarge(`more than ${maxEvents} events in one request`, 'too_many_events');
}

function parseJsonArray(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw ApiError.badRequest(
      `body is not valid JSON (${(err as Error).message}); for NDJSON send Content-Type: application/x-ndjson`,
    );
  }
  if (!Array.isArray(parsed)) throw ApiError.badRequest('body must be a JSON array of events');
  return parsed;
}

function parseNdjson(text: string, maxEvents: number): unknown[] {
  const items: unknown[] = [];
  let parsedAny = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    // Stop counting early: a huge line count is refused without parsing every line.
    if (items.length === maxEvents) throw tooMany(maxEvents);
    try {
      items.push(JSON.parse(line));
      parsedAny = true;
    } catch {
      items.push(new UnparseableItem('line is not valid JSON'));
    }
  }
  if (!parsedAny) throw ApiError.badRequest('no line of the NDJSON body is valid JSON');
  return items;
}
