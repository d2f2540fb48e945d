// `orcha serve --auth`: a token is required on loopback too. The dashboard opened with the one-time login
// link printed at start trades it for an HttpOnly cookie, and its requests and event streams work with
// that cookie alone. The link works once.
import { describe, expect, it } from 'vitest';
import { useDashboard } from './support/use-dashboard';

const dashboard = useDashboard({ name: 'login', args: ['--auth'], token: 'e2e-login-token-0123456789' });

describe('--auth login link', () => {
  it('signs the dashboard in with a cookie, once', async () => {
    const link = /one-time login link: (\S+)/.exec(dashboard.server.log())?.[1];
    expect(link).toBeTruthy();
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(link!);
    await page.locator('[data-connection="live"]').waitFor();
    // The code leaves the address bar; the cookie is HttpOnly, so the page's scripts cannot read it.
    expect(new URL(page.url()).searchParams.has('login')).toBe(false);
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({
        name: `orcha_auth_${dashboard.server.port}`,
        httpOnly: true,
        sameSite: 'Strict',
      }),
    ]);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // Requests and the transcript's stream work with the cookie.
    await page.locator('a.session-row[data-role="manager"]').first().click();
    await page.locator('.transcript button.message').first().waitFor();
    await context.close();

    // The same link in another browser is spent: the dashboard asks to sign in.
    const other = await dashboard.browser.newContext();
    const second = await other.newPage();
    await second.goto(link!);
    await expect.poll(() => second.getByRole('alert').filter({ hasText: 'sign in' }).count()).toBe(1);
    await other.close();
  }, 60_000);
});
