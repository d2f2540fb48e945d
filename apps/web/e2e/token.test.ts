// A server with an API token (as beyond loopback): the dashboard says how to open it, then trades the
// token given once in the address for its sign-in cookie, for requests and for its event streams alike.
import { describe, expect, it } from 'vitest';
import { useDashboard } from './support/use-dashboard';

const token = 'e2e-token-0123456789abcdef';
const dashboard = useDashboard({ name: 'token', token });

describe('API token', () => {
  it('asks for the token, then uses it for requests and streams', async () => {
    const context = await dashboard.browser.newContext();
    const page = await context.newPage();
    await page.goto(dashboard.server.url);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'API token' }).count()).toBe(1);

    await page.goto(`${dashboard.server.url}/?token=${token}`);
    await page.locator('[data-connection="live"]').waitFor();
    // The token leaves the address bar; the demo objective and its sessions load.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.locator('a.session-row[data-role="manager"]').first().waitFor();
    await page.locator('a.session-row[data-role="manager"]').first().click();
    await page.locator('.transcript button.message').first().waitFor();
    await context.close();
  }, 60_000);
});
