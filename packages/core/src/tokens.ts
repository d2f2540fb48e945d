import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '@orcha/store';

/**
 * Per-session bearer tokens for the MCP endpoint. The token is handed to the agent once; only its SHA-256
 * hash is stored, so a leaked database does not leak live tokens. A token opens its own session's endpoint
 * and no other.
 */
export interface TokenRegistry {
  issue(sessionId: string): string;
  verify(sessionId: string, token: string): boolean;
}

const hash = (token: string) => createHash('sha256').update(token).digest();

export function createTokenRegistry(store: Store): TokenRegistry {
  return {
    issue(sessionId) {
      const token = `orcha_${randomBytes(24).toString('base64url')}`;
      store.setSessionTokenHash(sessionId, hash(token).toString('hex'));
      return token;
    },
    verify(sessionId, token) {
      const stored = store.getSessionTokenHash(sessionId);
      if (!stored || !token) return false;
      const expected = Buffer.from(stored, 'hex');
      const actual = hash(token);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}
