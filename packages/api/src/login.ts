import { OrchaError } from '@orcha/model';
import type { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Auth } from './auth.js';
import { readBody } from './body.js';
import { loginBody } from './schemas.js';
import { bearerToken, cookieName } from './security.js';

/**
 * `POST /api/login`: trades a one-time login code (from the link `orcha serve` prints), or the API token as
 * a bearer, for the dashboard's HttpOnly, SameSite=Strict cookie. The security edge refuses it from other
 * origins, like every state change.
 */
export function loginRoutes(app: Hono, auth: Auth | undefined) {
  app.post('/api/login', async (c) => {
    const { code } = await readBody(c, loginBody);
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
    return c.json({ ok: true });
  });
}
