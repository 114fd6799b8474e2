import { generateApiKey, hashApiKey, isWellFormedApiKey } from './api-keys';

describe('API keys', () => {
  it('are well formed, unique, and stored only as their sha256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(isWellFormedApiKey(a.key)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.key).toContain(a.keyId);
    expect(a.hash.equals(hashApiKey(a.key))).toBe(true);
    expect(a.hash).toHaveLength(32);
  });

  it('refuses malformed keys', () => {
    for (const k of ['', 'Bearer x', 'sbk_0123_abc', `${generateApiKey().key}x`])
      expect(isWellFormedApiKey(k)).toBe(false);
  });
});
