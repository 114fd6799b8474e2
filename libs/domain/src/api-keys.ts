import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys look like `sbk_<keyId>_<secret>`. The key id is public (logs, `keys revoke`); only the
 * sha256 of the whole key is stored, so a database dump reveals no usable key.
 */
const KEY_PATTERN = /^sbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  keyId: string;
  key: string;
  hash: Buffer;
}

export function generateApiKey(): NewApiKey {
  const keyId = randomBytes(8).toString('hex');
  const key = `sbk_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Cheap shape check before any database round trip; a malformed key is refused outright. */
export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}
