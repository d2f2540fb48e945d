import { createRoute } from '@hono/zod-openapi';
import { OrchaError } from '@orcha/model';
import { setCookie } from 'hono/cookie';
import type { Auth } from './auth.js';
import { type App, body, bodyErrors, json } from './route.js';
import { loginBody, Ok } from './schemas.js';
import { bearerToken, cookieName } from './security.js';

export const login = createRoute({
  method: 'post',
  path: '/api/login',
  operationId: 'login',
  tags: ['Auth'],
  summary: 'Sign a browser in',
  description:
    'Trades a one-time login code (from the link `orcha serve` prints), or the API token as a bearer, for the dashboard’s HttpOnly, SameSite=Strict cookie `orcha_auth_<port>`. Refused from other origins, like every state change. A server without `--auth` has no login (404).',
  security: [{}, { bearerAuth: [] }] as Array<Record<string, string[]>>,
  request: { body: body(loginBody, 'The login code, or nothing with a bearer token.') },
  responses: { 200: json(Ok, 'Signed in: the cookie is set.'), ...bodyErrors(404) },
});

/** `POST /api/login`. */
export function loginRoutes(app: App, auth: Auth | undefined) {
  app.openapi(login, (c) => {
    const { code } = c.req.valid('json');
    if (!auth) throw new OrchaError('not_found', 'this server needs no login (it runs without --auth)');
    const token = bearerToken(c);
    const granted = code ? auth.redeemLoginCode(code) : token !== '' && auth.acceptsToken(token);
    if (!granted) {
      throw new OrchaError(
        'unauthorized',
        code
          ? 'this login link was used already, expired (links work for 15 minutes, once) or is not from this server: open /?token=<API token>, or restart orcha for a new link'
          : 'a login code or the API token is required',
      );
    }
    setCookie(c, cookieName(c), auth.cookieValue, { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.json({ ok: true as const }, 200);
  });
}
