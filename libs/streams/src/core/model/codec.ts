import { StreamsDecodeError } from '../errors';
import type { EventData } from './event-data';
import { STREAM_END_TYPES, type StreamEndType } from './stream-end-type';
import type { StreamPropertiesData } from './stream-properties';
import { type Column, type TimeseriesColumns, TimeseriesData } from './timeseries-data';

/**
 * The wire format, version 1 (see libs/streams/README.md, "Wire format").
 * key = stream id (UTF-8); header `sb-model` names the payload; header `sb-codec` = `json/1`;
 * value = UTF-8 JSON of the model's payload. Any Kafka client can produce and read it.
 */
export const MODEL_HEADER = 'sb-model';
export const CODEC_HEADER = 'sb-codec';
export const CODEC_VERSION = 'json/1';

export type ModelKind = 'timeseries' | 'event' | 'properties' | 'stream-end';

export type StreamMessage =
  | { kind: 'timeseries'; data: TimeseriesData }
  | { kind: 'event'; events: EventData[] }
  | { kind: 'properties'; properties: StreamPropertiesData }
  | { kind: 'stream-end'; endType: StreamEndType };

export interface WireMessage {
  key: string;
  headers: Record<string, string>;
  value: Buffer;
}

export function encode(streamId: string, msg: StreamMessage): WireMessage {
  let payload: unknown;
  switch (msg.kind) {
    case 'timeseries':
      payload = msg.data.toColumns();
      break;
    case 'event':
      payload = msg.events.map((e) => ({ timestamp: e.timestamp, id: e.id, value: e.value, tags: e.tags }));
      break;
    case 'properties':
      payload = msg.properties;
      break;
    case 'stream-end':
      payload = { endType: msg.endType };
      break;
  }
  return {
    key: streamId,
    headers: { [MODEL_HEADER]: msg.kind, [CODEC_HEADER]: CODEC_VERSION },
    value: Buffer.from(JSON.stringify(payload), 'utf8'),
  };
}

/** Reads one message; throws StreamsDecodeError (with the reason) for anything that is not format v1. */
export function decode(
  key: string | null,
  headers: Record<string, string | undefined>,
  value: Buffer | null,
): { streamId: string; message: StreamMessage } {
  if (key === null || key.length === 0) throw new StreamsDecodeError('message has no key (the stream id)');
  const codec = headers[CODEC_HEADER];
  if (codec !== CODEC_VERSION)
    throw new StreamsDecodeError(`unsupported codec "${codec ?? '(missing)'}"; expected "${CODEC_VERSION}"`);
  const kind = headers[MODEL_HEADER];
  if (value === null) throw new StreamsDecodeError(`"${kind}" message has no value`);
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new StreamsDecodeError(`value is not JSON: ${(err as Error).message}`);
  }
  return { streamId: key, message: decodePayload(kind, json) };
}

function decodePayload(kind: string | undefined, json: unknown): StreamMessage {
  switch (kind) {
    case 'timeseries':
      return { kind, data: TimeseriesData.fromColumns(readColumns(json)) };
    case 'event':
      return { kind, events: readEvents(json) };
    case 'properties':
      return { kind, properties: readProperties(json) };
    case 'stream-end': {
      const endType = isObject(json) ? json.endType : undefined;
      if (typeof endType !== 'string' || !STREAM_END_TYPES.has(endType))
        throw new StreamsDecodeError(`unknown stream end type ${JSON.stringify(endType)}`);
      return { kind, endType: endType as StreamEndType };
    }
    default:
      throw new StreamsDecodeError(`unknown model "${kind ?? '(missing)'}" in header ${MODEL_HEADER}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readColumns(json: unknown): TimeseriesColumns {
  if (!isObject(json) || !Array.isArray(json.timestamps))
    throw new StreamsDecodeError('timeseries payload needs a timestamps array');
  const timestamps = json.timestamps as unknown[];
  for (const ts of timestamps)
    if (typeof ts !== 'number' || !Number.isFinite(ts))
      throw new StreamsDecodeError(`timestamp ${JSON.stringify(ts)} is not a number`);
  const n = timestamps.length;
  return {
    timestamps: timestamps as number[],
    numericValues: readColumnGroup(json.numericValues, 'numericValues', 'number', n),
    stringValues: readColumnGroup(json.stringValues, 'stringValues', 'string', n),
    tagValues: readColumnGroup(json.tagValues, 'tagValues', 'string', n),
  };
}

function readColumnGroup<T>(
  group: unknown,
  name: string,
  type: 'number' | 'string',
  n: number,
): Record<string, Column<T>> {
  if (group === undefined) return {};
  if (!isObject(group)) throw new StreamsDecodeError(`${name} must be an object of columns`);
  for (const [col, values] of Object.entries(group)) {
    if (!Array.isArray(values) || values.length !== n)
      throw new StreamsDecodeError(`${name}.${col} must be an array of ${n} values`);
    for (const v of values)
      if (v !== null && typeof v !== type)
        throw new StreamsDecodeError(`${name}.${col} holds ${JSON.stringify(v)}, not a ${type}`);
  }
  return group as Record<string, Column<T>>;
}

function readEvents(json: unknown): EventData[] {
  if (!Array.isArray(json)) throw new StreamsDecodeError('event payload must be an array of events');
  return json.map((e, i) => {
    if (!isObject(e) || typeof e.timestamp !== 'number' || typeof e.id !== 'string' || typeof e.value !== 'string') {
      throw new StreamsDecodeError(`event ${i} needs a numeric timestamp and string id and value`);
    }
    return { timestamp: e.timestamp, id: e.id, value: e.value, tags: readStringMap(e.tags, `event ${i} tags`) };
  });
}

function readStringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new StreamsDecodeError(`${what} must be an object of strings`);
  for (const [k, s] of Object.entries(v))
    if (typeof s !== 'string') throw new StreamsDecodeError(`${what}.${k} is not a string`);
  return v as Record<string, string>;
}

function readProperties(json: unknown): StreamPropertiesData {
  if (!isObject(json)) throw new StreamsDecodeError('properties payload must be an object');
  const str = (k: string): string | null => {
    const v = json[k];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') throw new StreamsDecodeError(`properties.${k} must be a string`);
    return v;
  };
  const parents = json.parents ?? [];
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string'))
    throw new StreamsDecodeError('properties.parents must be an array of strings');
  const tor = json.timeOfRecording ?? null;
  if (tor !== null && typeof tor !== 'number')
    throw new StreamsDecodeError('properties.timeOfRecording must be epoch ms');
  return {
    name: str('name'),
    location: str('location'),
    metadata: readStringMap(json.metadata, 'properties.metadata'),
    parents: parents as string[],
    timeOfRecording: tor as number | null,
  };
}
