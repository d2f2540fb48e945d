import { timingSafeEqual } from 'node:crypto';
import { OrchaError } from '@orcha/model';
import type { MiddlewareHandler } from 'hono';

export interface SecurityOptions {
  /** Required as `Authorization: Bearer <token>` on /api when set (always set when bound beyond loopback). */
  apiToken?: string | undefined;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses state-changing requests from other sites: a browser sends `Origin`, and it must be this server's
 * own. Requests without `Origin` (curl, agents) pass. When an API token is configured, /api needs it.
 */
export function security(options: SecurityOptions): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && unsafeMethods.has(c.req.method)) {
      const own = new URL(c.req.url);
      const host = c.req.header('host') ?? own.host;
      let ok = false;
      try {
        ok = new URL(origin).host === host;
      } catch {
        ok = false;
      }
      if (!ok) throw new OrchaError('forbidden', `requests from ${origin} are not allowed`);
    }
    if (options.apiToken && c.req.path.startsWith('/api/')) {
      // EventSource cannot send headers, so the dashboard's streams pass the token as `access_token`.
      const given =
        (c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, '') ||
        (c.req.query('access_token') ?? '');
      const expected = Buffer.from(options.apiToken);
      const actual = Buffer.from(given);
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
        throw new OrchaError('unauthorized', 'this server needs its API token (Authorization: Bearer …)');
      }
    }
    await next();
  };
}
