import { OrchaError } from '@orcha/model';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maxBodyBytes, readBody } from './body.js';
import { errorResponse } from './errors.js';
import { security } from './security.js';

/** A tiny app with the same edge as the real one: security, one validated route, one failing route. */
function app(apiToken?: string) {
  const hono = new Hono();
  hono.onError((error, c) => errorResponse(c, error));
  hono.use('*', security({ apiToken }));
  hono.post('/api/echo', async (c) =>
    c.json(await readBody(c, z.object({ name: z.string().min(1) }).strict())),
  );
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
  it('accepts JSON without a Content-Type', async () => {
    const response = await post('{"name":"x"}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'x' });
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

  it('requires the API token when one is set, by header or query (for EventSource)', async () => {
    const token = 'a-long-enough-api-token';
    const guarded = app(token);
    expect((await guarded.request('http://127.0.0.1/api/gone')).status).toBe(401);
    expect(
      (await guarded.request('http://127.0.0.1/api/gone', { headers: { authorization: 'Bearer wrong' } }))
        .status,
    ).toBe(401);
    expect(
      (await guarded.request('http://127.0.0.1/api/gone', { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(404);
    expect((await guarded.request(`http://127.0.0.1/api/gone?access_token=${token}`)).status).toBe(404);
  });
});
