import { type DashboardClaims, type DashboardRole, ID_PATTERN } from '@switchboard/domain';
import { z } from 'zod';
import { CHANNEL_ROLES } from '../auth/roles';
import type { LiveRow } from './channel-log';

/**
 * The Live API's WebSocket contract (socket.io events), one place for both sides: see README.md next to this
 * file. Frames (`snapshot`, `delta`) must be acknowledged by the client (socket.io ack: call the last argument).
 */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

export type ChannelName = 'queues' | 'alerts' | 'energy' | 'services' | 'lag' | `meter:${string}`;

export interface SnapshotFrame {
  channel: string;
  epoch: string;
  seq: number;
  rows: LiveRow[];
}

export interface DeltaFrame {
  channel: string;
  epoch: string;
  /** The seq this delta follows: apply it to state at `from`, and the state is at `seq`. */
  from: number;
  seq: number;
  rows: LiveRow[];
}

export type LiveErrorCode =
  | 'bad_message'
  | 'too_large'
  | 'unknown_event'
  | 'unknown_channel'
  | 'forbidden'
  | 'too_many_subscriptions'
  | 'too_many_channels'
  | 'channel_full'
  | 'rate_limited'
  | 'unavailable'
  | 'token_expired';

export interface LiveError {
  code: LiveErrorCode;
  message: string;
  channel?: string;
}

/** Events the server sends; frames carry an ack callback the client must call once it applied the frame. */
export interface ServerToClientEvents {
  snapshot: (frame: SnapshotFrame, ack: () => void) => void;
  delta: (frame: DeltaFrame, ack: () => void) => void;
  error: (error: LiveError) => void;
}

export interface SubscribeMessage {
  channel: string;
  resume?: { epoch: string; seq: number };
}

export interface ClientToServerEvents {
  subscribe: (message: SubscribeMessage) => void;
  unsubscribe: (message: { channel: string }) => void;
}

const channelText = z.string().min(1).max(100);
const subscribeSchema = z.strictObject({
  channel: channelText,
  resume: z
    .strictObject({
      epoch: z.string().min(1).max(100),
      seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    })
    .optional(),
});
const unsubscribeSchema = z.strictObject({ channel: channelText });

export type ClientMessage =
  | { type: 'subscribe'; message: SubscribeMessage }
  | { type: 'unsubscribe'; message: { channel: string } };

/** Reads one client event; a LiveError for anything else (never throws). */
export function parseClientMessage(event: string, args: unknown[]): ClientMessage | LiveError {
  if (event !== 'subscribe' && event !== 'unsubscribe') {
    return { code: 'unknown_event', message: `unknown event ${JSON.stringify(event.slice(0, 50))}` };
  }
  // An ack callback is allowed (and ignored); anything else besides the one payload is not.
  const payloads = args.filter((a) => typeof a !== 'function');
  if (payloads.length !== 1) return { code: 'bad_message', message: `${event} takes exactly one object` };
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(payloads[0]) ?? '');
  } catch {
    return { code: 'bad_message', message: `${event} must be JSON` };
  }
  if (bytes > MAX_CLIENT_MESSAGE_BYTES) {
    return { code: 'too_large', message: `${event} is ${bytes} bytes; at most ${MAX_CLIENT_MESSAGE_BYTES}` };
  }
  const parsed = (event === 'subscribe' ? subscribeSchema : unsubscribeSchema).safeParse(payloads[0]);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
    return { code: 'bad_message', message: `${event}: ${issues}` };
  }
  return event === 'subscribe'
    ? { type: 'subscribe', message: parsed.data as SubscribeMessage }
    : { type: 'unsubscribe', message: parsed.data };
}

export function isLiveError(x: ClientMessage | LiveError | ParsedChannel): x is LiveError {
  return 'code' in x;
}

export type ParsedChannel =
  | { kind: 'queues' | 'alerts' | 'energy' }
  | { kind: 'meter'; meterId: string }
  | { kind: 'services' }
  | { kind: 'lag' };

/** Who may read the operational channels (`services`, `lag`): they hold no tenant's data, only the installation's. */
export interface OperationalAccess {
  /** When set, only operator tokens of this tenant read them; unset: operator tokens of any tenant. */
  operatorTenant?: string;
  /** Whether this gateway computes consumer lag (`lag` is `unavailable` otherwise). */
  lagEnabled: boolean;
}

/**
 * Which channels exist, and who may read them: the role matrix of the REST reads of the same data (CHANNEL_ROLES);
 * `services` and `lag` only for operator tokens of the operator tenant, when one is configured.
 */
export function parseChannel(
  name: string,
  claims: Pick<DashboardClaims, 'role' | 'tenant'>,
  access: OperationalAccess = { lagEnabled: true },
): ParsedChannel | LiveError {
  const channel = channelOf(name);
  if (!channel) {
    return {
      code: 'unknown_channel',
      message: 'channels are queues, alerts, energy, services, lag and meter:<meter id>',
      channel: name.slice(0, 100),
    };
  }
  const roles: readonly DashboardRole[] = CHANNEL_ROLES[channel.kind];
  if (!roles.includes(claims.role)) {
    return {
      code: 'forbidden',
      message: `the ${channel.kind} channel is for the role ${roles.join(' or ')}; the token's role is ${claims.role}`,
      channel: name,
    };
  }
  if (channel.kind === 'services' || channel.kind === 'lag') {
    if (access.operatorTenant !== undefined && claims.tenant !== access.operatorTenant) {
      return {
        code: 'forbidden',
        message: `the ${name} channel is for operator tokens of the operator tenant, not of tenant ${claims.tenant}`,
        channel: name,
      };
    }
    if (channel.kind === 'lag' && !access.lagEnabled) {
      return { code: 'unavailable', message: 'this gateway does not compute consumer lag', channel: name };
    }
  }
  return channel;
}

function channelOf(name: string): ParsedChannel | undefined {
  if (name === 'queues' || name === 'alerts' || name === 'energy' || name === 'services' || name === 'lag') {
    return { kind: name };
  }
  if (name.startsWith('meter:')) {
    const meterId = name.slice('meter:'.length);
    if (ID_PATTERN.test(meterId)) return { kind: 'meter', meterId };
  }
  return undefined;
}
