import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The API token in force, and how a browser signs in without ever holding it: the server prints a link
 * with a one-time login code, the dashboard trades the code (`POST /api/login`) for an HttpOnly,
 * SameSite=Strict cookie. Bearer tokens keep working for curl and scripts.
 */
export interface Auth {
  /** True when `given` is the API token. */
  acceptsToken(given: string): boolean;
  /** True when `given` is this process's browser cookie value. */
  acceptsCookie(given: string): boolean;
  /** A new login code, good for one sign-in. */
  issueLoginCode(): string;
  /** Spends a login code: true the first time a code issued here is given, false ever after. */
  redeemLoginCode(code: string): boolean;
  /** The value of the browser cookie (random per process: a restart signs browsers out). */
  readonly cookieValue: string;
}

export function createAuth(apiToken: string): Auth {
  const cookieValue = randomBytes(32).toString('base64url');
  const codes = new Set<string>();
  return {
    acceptsToken: (given) => same(given, apiToken),
    acceptsCookie: (given) => same(given, cookieValue),
    issueLoginCode() {
      const code = randomBytes(24).toString('base64url');
      codes.add(code);
      return code;
    },
    redeemLoginCode: (code) => codes.delete(code),
    cookieValue,
  };
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
