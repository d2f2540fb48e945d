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
  /** A new login code, good for one sign-in within its lifetime. */
  issueLoginCode(): string;
  /** Spends a login code: true the first time a code issued here is given in time, false ever after. */
  redeemLoginCode(code: string): boolean;
  /** The value of the browser cookie (random per process: a restart signs browsers out). */
  readonly cookieValue: string;
}

/** How long a printed login link works: long enough to open it, short enough that an old one is worthless. */
export const loginCodeLifetimeMs = 15 * 60_000;

/**
 * The auth of a server with `apiToken` in force. Login codes are one-time and short-lived (`lifetimeMs`,
 * measured on `clock`): a code not spent in time, or spent already, opens nothing.
 */
export function createAuth(
  apiToken: string,
  options: { clock?: () => number; lifetimeMs?: number } = {},
): Auth {
  const { clock = Date.now, lifetimeMs = loginCodeLifetimeMs } = options;
  const cookieValue = randomBytes(32).toString('base64url');
  /** Unspent codes and when each stops working. */
  const codes = new Map<string, number>();
  const forgetExpired = (now: number) => {
    for (const [code, expiresAt] of codes) if (expiresAt <= now) codes.delete(code);
  };
  return {
    acceptsToken: (given) => same(given, apiToken),
    acceptsCookie: (given) => same(given, cookieValue),
    issueLoginCode() {
      const now = clock();
      forgetExpired(now);
      const code = randomBytes(24).toString('base64url');
      codes.set(code, now + lifetimeMs);
      return code;
    },
    redeemLoginCode(code) {
      const expiresAt = codes.get(code);
      codes.delete(code);
      return expiresAt !== undefined && clock() < expiresAt;
    },
    cookieValue,
  };
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
