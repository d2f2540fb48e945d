import { isIP } from 'node:net';
import { OrchaError } from '@orcha/model';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Auth } from './auth.js';

export interface SecurityOptions {
  /** When set, /api needs the API token (bearer) or the dashboard's login cookie. */
  auth?: Auth | undefined;
  /** Host names accepted besides loopback names and IP addresses (`--allowed-host`, the bound name). */
  allowedHosts?: readonly string[] | undefined;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The edge every request passes, in order:
 * 1. Its `Host` must be one this server answers to: an IP address, `localhost` (and `*.localhost`), or a
 *    name allowed explicitly. A web page whose own name was rebound to 127.0.0.1 (DNS rebinding) sends
 *    its own name here, so it is refused before anything runs, whatever its `Origin`.
 * 2. A state-changing request from a browser must come from this server's own origin.
 * 3. With auth in force, /api needs the token or the login cookie (except /api/login, which grants it).
 */
export function security(options: SecurityOptions): MiddlewareHandler {
  const allowed = (options.allowedHosts ?? []).map(normalize);
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!hostAllowed(host, allowed)) {
      throw new OrchaError(
        'forbidden_host',
        `this server does not answer to the host ${JSON.stringify(host)}; add it with --allowed-host if it is yours`,
      );
    }
    const origin = c.req.header('origin');
    if (origin && unsafeMethods.has(c.req.method)) {
      let ok = false;
      try {
        ok = new URL(origin).host === host;
      } catch {
        ok = false;
      }
      if (!ok) throw new OrchaError('forbidden', `requests from ${origin} are not allowed`);
    }
    const { auth } = options;
    if (auth && c.req.path.startsWith('/api/') && c.req.path !== '/api/login') {
      const token = bearerToken(c);
      const cookie = getCookie(c, cookieName(c));
      if (!(token && auth.acceptsToken(token)) && !(cookie && auth.acceptsCookie(cookie))) {
        throw new OrchaError(
          'unauthorized',
          'this server needs its API token (Authorization: Bearer …) or the login link it printed',
        );
      }
    }
    await next();
  };
}

/** The token of an `Authorization: Bearer <token>` header, or '' when there is none. */
export function bearerToken(c: Context): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  return match?.[1] ?? '';
}

/** The login cookie's name, one per port: two orcha servers on one machine keep their own. */
export function cookieName(c: Context): string {
  const port = new URL(c.req.url).port || '80';
  return `orcha_auth_${port}`;
}

/**
 * Whether a `Host` header names this server. IP addresses always do (rebinding needs a name), as do
 * `localhost` and its subdomains (browsers resolve them to loopback themselves); other names only when
 * listed (`.example.com` lists the name and its subdomains).
 */
export function hostAllowed(hostHeader: string, allowed: readonly string[]): boolean {
  const name = hostname(hostHeader);
  if (name === null) return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowed.some((entry) =>
    entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry,
  );
}

/** The name of a Host header without its port, lower-case, without a trailing dot; null if malformed. */
function hostname(hostHeader: string): string | null {
  const value = hostHeader.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const plain = /^([a-z0-9._-]+)(?::\d{1,5})?$/.exec(value);
  return plain ? normalize(plain[1]!) : null;
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
