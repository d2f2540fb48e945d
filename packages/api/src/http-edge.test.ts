import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { OrchaError } from '@orcha/model';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Auth, createAuth, loginCodeLifetimeMs } from './auth.js';
import { invalidInput, jsonBodies, maxBodyBytes } from './body.js';
import { errorResponse } from './errors.js';
import { loginRoutes } from './login.js';
import { body, bodyErrors, json } from './route.js';
import { hostAllowed, security } from './security.js';

const echoBody = z.object({ name: z.string().min(1), workRoot: z.string().optional() }).strict();
const echo = createRoute({
  method: 'post',
  path: '/api/echo',
  request: { body: body(echoBody, 'A name.') },
  responses: { 200: json(echoBody, 'The body as the handler saw it.'), ...bodyErrors() },
});

/** A tiny app with the same edge as the real one: security, bodies, login, one declared route, one failing. */
function app(auth?: Auth, allowedHosts: string[] = []) {
  const hono = new OpenAPIHono({ defaultHook: invalidInput });
  hono.onError((error, c) => errorResponse(c, error));
  hono.use('*', security({ auth, allowedHosts }));
  hono.use('/api/*', jsonBodies());
  loginRoutes(hono, auth);
  hono.openapi(echo, (c) => c.json(c.req.valid('json'), 200));
  hono.get('/api/boom', () => {
    throw new Error('secret detail');
  });
  hono.get('/api/gone', () => {
    throw new OrchaError('not_found', 'no such thing');
  });
  return hono;
}

const post = (body: string, headers: Record<string, string> = {}) =>
  app().request('http://127.0.0.1/api/echo', { method: 'POST', body, headers });

describe('reading bodies', () => {
  it('accepts JSON without a Content-Type, or with a form Content-Type as `curl -d` sends', async () => {
    const response = await post('{"name":"x"}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'x' });
    const curl = await post('{"name":"y"}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(curl.status).toBe(200);
    expect(await curl.json()).toEqual({ name: 'y' });
  });

  it('renames the snake_case aliases at the edge, and refuses both spellings at once', async () => {
    const aliased = await post('{"name":"x","work_root":"/w"}');
    expect(await aliased.json()).toEqual({ name: 'x', workRoot: '/w' });
    const both = await post('{"name":"x","work_root":"/w","workRoot":"/v"}');
    expect(both.status).toBe(400);
    expect(await both.json()).toEqual({
      error: {
        code: 'invalid_argument',
        message: 'work_root and workRoot are the same field: give one of them',
      },
    });
  });

  it('answers 400 for malformed or mismatching JSON and 413 for an oversized body', async () => {
    for (const body of ['{nope', '{"name":""}', '{"name":"x","extra":1}', '[]']) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_argument');
    }
    const big = await post(JSON.stringify({ name: 'x'.repeat(maxBodyBytes) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
  });
});

describe('errors', () => {
  it('maps codes to statuses and hides unexpected errors', async () => {
    const gone = await app().request('http://127.0.0.1/api/gone');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: { code: 'not_found', message: 'no such thing' } });
    const original = console.error;
    console.error = () => {};
    try {
      const boom = await app().request('http://127.0.0.1/api/boom');
      expect(boom.status).toBe(500);
      expect(await boom.text()).not.toContain('secret detail');
    } finally {
      console.error = original;
    }
  });
});

describe('security', () => {
  it('refuses state changes from another origin and allows its own', async () => {
    const foreign = await post('{"name":"x"}', { origin: 'http://evil.test', host: '127.0.0.1' });
    expect(foreign.status).toBe(403);
    const own = await post('{"name":"x"}', { origin: 'http://127.0.0.1', host: '127.0.0.1' });
    expect(own.status).toBe(200);
  });

  it('requires the API token when one is set, and says so with WWW-Authenticate: Bearer', async () => {
    const token = 'a-long-enough-api-token';
    const guarded = app(createAuth(token));
    const anonymous = await guarded.request('http://127.0.0.1/api/gone');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(
      (await guarded.request('http://127.0.0.1/api/gone', { headers: { authorization: 'Bearer wrong' } }))
        .status,
    ).toBe(401);
    expect(
      (await guarded.request('http://127.0.0.1/api/gone', { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(404);
    // A token in the address no longer opens anything: browsers sign in with a cookie instead.
    expect((await guarded.request(`http://127.0.0.1/api/gone?access_token=${token}`)).status).toBe(401);
  });

  it('trades a one-time login code for an HttpOnly SameSite=Strict cookie that opens the API', async () => {
    const auth = createAuth('a-long-enough-api-token');
    const guarded = app(auth);
    const code = auth.issueLoginCode();
    const login = (body: unknown, headers: Record<string, string> = {}) =>
      guarded.request('http://127.0.0.1:4321/api/login', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { host: '127.0.0.1:4321', ...headers },
      });
    const refusedAcrossSites = await login({ code }, { origin: 'http://evil.test' });
    expect(refusedAcrossSites.status).toBe(403);
    const first = await login({ code });
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^orcha_auth_4321=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const withCookie = await guarded.request('http://127.0.0.1:4321/api/gone', {
      headers: { host: '127.0.0.1:4321', cookie: pair },
    });
    expect(withCookie.status).toBe(404);
    const forged = await guarded.request('http://127.0.0.1:4321/api/gone', {
      headers: { host: '127.0.0.1:4321', cookie: 'orcha_auth_4321=guess' },
    });
    expect(forged.status).toBe(401);
    // The code is spent; the token as a bearer also signs a browser in.
    expect((await login({ code })).status).toBe(401);
    expect((await login({ code: 'made-up' })).status).toBe(401);
    expect((await login({})).status).toBe(401);
    expect((await login({}, { authorization: 'Bearer a-long-enough-api-token' })).status).toBe(200);
  });

  it('lets a login code expire: one that was not spent in time opens nothing', async () => {
    const now = { ms: 1_000_000 };
    const auth = createAuth('a-long-enough-api-token', { clock: () => now.ms, lifetimeMs: 60_000 });
    const guarded = app(auth);
    const login = (code: string) =>
      guarded.request('http://127.0.0.1:4321/api/login', {
        method: 'POST',
        body: JSON.stringify({ code }),
        headers: { host: '127.0.0.1:4321' },
      });
    const late = auth.issueLoginCode();
    const inTime = auth.issueLoginCode();
    now.ms += 59_999;
    expect((await login(inTime)).status).toBe(200);
    now.ms += 1;
    const refused = await login(late);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringContaining('expired') },
    });
    // Refused once, it stays refused, even if the clock went back.
    now.ms -= 10_000;
    expect((await login(late)).status).toBe(401);
    // The default lifetime is short.
    expect(loginCodeLifetimeMs).toBeLessThanOrEqual(15 * 60_000);
  });

  it('has no login without auth', async () => {
    const response = await app().request('http://127.0.0.1/api/login', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});

describe('host allow-list (DNS rebinding)', () => {
  it('answers IP addresses, localhost and listed names, and refuses every other name', async () => {
    for (const host of [
      '127.0.0.1:8080',
      'localhost:8080',
      'LOCALHOST',
      '[::1]:8080',
      '10.0.0.5',
      'a.localhost:1',
    ])
      expect(hostAllowed(host, []), host).toBe(true);
    for (const host of ['rebind.example:8080', 'rebind.example', 'localhost.evil.test', '', 'a b', '[::1'])
      expect(hostAllowed(host, []), host).toBe(false);
    expect(hostAllowed('orcha.lan:8080', ['orcha.lan'])).toBe(true);
    expect(hostAllowed('ORCHA.LAN.', ['orcha.lan'])).toBe(true);
    expect(hostAllowed('x.orcha.lan', ['orcha.lan'])).toBe(false);
    expect(hostAllowed('x.orcha.lan', ['.orcha.lan'])).toBe(true);
    expect(hostAllowed('orcha.lan', ['.orcha.lan'])).toBe(true);
    expect(hostAllowed('evilorcha.lan', ['.orcha.lan'])).toBe(false);
  });

  it('refuses a rebound name with 403 forbidden_host even with a matching Origin, before the handler runs', async () => {
    let ran = 0;
    const hono = app();
    hono.post('/api/count', (c) => c.json({ ran: ++ran }));
    const rebound = await hono.request('http://rebind.example:8080/api/count', {
      method: 'POST',
      headers: { host: 'rebind.example:8080', origin: 'http://rebind.example:8080' },
    });
    expect(rebound.status).toBe(403);
    expect(await rebound.json()).toEqual({ error: { code: 'forbidden_host', message: expect.any(String) } });
    const listed = app(undefined, ['rebind.example']);
    listed.post('/api/count', (c) => c.json({ ran: ++ran }));
    const allowed = await listed.request('http://rebind.example:8080/api/count', {
      method: 'POST',
      headers: { host: 'rebind.example:8080', origin: 'http://rebind.example:8080' },
    });
    expect(allowed.status).toBe(200);
    expect(ran).toBe(1);
  });
});
