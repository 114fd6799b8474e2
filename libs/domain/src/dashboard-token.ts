import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ID_PATTERN } from './events/fields';

/**
 * The dashboard's bearer token: who may see what, signed by the operator's secret (HMAC-SHA256), checked by the
 * gateway for every HTTP request and WebSocket connection. `switchboard tokens create` signs one. A token names
 * one tenant and never sees another's data; the role says which channels and endpoints it may use.
 *
 * Format: `sbt_<payload>.<signature>`, both base64url; payload = JSON `{ v: 1, tenant, role, iat, exp }` (epoch
 * seconds). Stateless: a token is valid until it expires (keep lifetimes short; rotate the secret to revoke all).
 */
export const DASHBOARD_ROLES = ['supervisor', 'analyst', 'operator'] as const;
export type DashboardRole = (typeof DASHBOARD_ROLES)[number];

export interface DashboardClaims {
  tenant: string;
  role: DashboardRole;
  /** Issued at, epoch seconds. */
  iat: number;
  /** Expires at, epoch seconds. */
  exp: number;
}

const PREFIX = 'sbt_';
/** Tokens cannot be revoked one by one (rotate the secret for that), so their lifetime is bounded, here and in the CLI. */
export const MAX_TOKEN_TTL_SECONDS = 30 * 86_400;
/** How far a token's `iat` may be ahead of this clock (clocks of the signing and the checking machine differ). */
const ISSUED_AHEAD_SECONDS = 300;
const MAX_TOKEN_LENGTH = 1024;
/** A secret shorter than this is refused: HMAC keys must not be guessable. */
export const MIN_SECRET_BYTES = 32;

const claimsSchema = z.object({
  v: z.literal(1),
  tenant: z.string().regex(ID_PATTERN),
  role: z.enum(DASHBOARD_ROLES),
  iat: z.number().int().min(0),
  exp: z.number().int().min(0),
});

/** Why a token was refused: `malformed`, `bad_signature` or `expired` (the gateway answers 401 with the code). */
export class DashboardTokenError extends Error {
  constructor(
    readonly code: 'malformed' | 'bad_signature' | 'expired' | 'weak_secret',
    message: string,
  ) {
    super(message);
    this.name = 'DashboardTokenError';
  }
}

function checkSecret(secret: string): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new DashboardTokenError('weak_secret', `the token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function sign(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** Signs a token for `tenant` and `role`, valid for `ttlSeconds` from `now` (epoch ms). */
export function createDashboardToken(
  secret: string,
  claims: { tenant: string; role: DashboardRole; ttlSeconds: number },
  now = Date.now(),
): string {
  checkSecret(secret);
  const iat = Math.floor(now / 1000);
  const body = { v: 1, tenant: claims.tenant, role: claims.role, iat, exp: iat + Math.floor(claims.ttlSeconds) };
  const parsed = claimsSchema.safeParse(body);
  if (!parsed.success || !(claims.ttlSeconds > 0) || claims.ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new DashboardTokenError(
      'malformed',
      `a token needs a valid tenant id, a known role and a lifetime of 1 s to ${MAX_TOKEN_TTL_SECONDS / 86_400} days`,
    );
  }
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${PREFIX}${payload}.${sign(payload, secret).toString('base64url')}`;
}

/**
 * Node decodes base64url leniently (it skips characters outside the alphabet and ignores trailing bits), so
 * `token + "!!"` would verify as the token itself and escape a limit keyed on the token: only the one encoding
 * our signer writes is a token.
 */
function canonicalBase64url(text: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
}

/** The claims of a valid token; throws DashboardTokenError (code + sentence, never the token) otherwise. */
export function verifyDashboardToken(secret: string, token: string, now = Date.now()): DashboardClaims {
  checkSecret(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) {
    throw new DashboardTokenError('malformed', 'not a dashboard token');
  }
  const [payload, signature, ...rest] = token.slice(PREFIX.length).split('.');
  if (!payload || !signature || rest.length > 0 || !canonicalBase64url(payload) || !canonicalBase64url(signature)) {
    throw new DashboardTokenError('malformed', 'not a dashboard token');
  }
  const expected = sign(payload, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DashboardTokenError('bad_signature', 'the token was not signed by this installation');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new DashboardTokenError('malformed', 'the token payload is not JSON');
  }
  const parsed = claimsSchema.safeParse(json);
  if (!parsed.success) throw new DashboardTokenError('malformed', 'the token payload has unknown or invalid claims');
  const { tenant, role, iat, exp } = parsed.data;
  // A lifetime beyond the cap, or a token issued in the future, was not signed by `switchboard tokens create`: a
  // leaked secret must not mint tokens that outlive its rotation by years.
  if (exp - iat > MAX_TOKEN_TTL_SECONDS || iat * 1000 > now + ISSUED_AHEAD_SECONDS * 1000) {
    throw new DashboardTokenError('malformed', 'the token has a lifetime this installation does not issue');
  }
  if (exp * 1000 <= now) throw new DashboardTokenError('expired', 'the token has expired');
  return { tenant, role, iat, exp };
}

/**
 * A short id of a verified token, for what is counted or limited per token (requests, sockets) without keeping the
 * token itself. Tokens parse strictly, so one token has one id.
 */
export function dashboardTokenId(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}
