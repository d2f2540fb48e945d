// The Notifications view: each notification with its delivery log per sink (here a webhook whose receiver
// is down, so the log shows the failed attempts and why), and desktop notifications turned on once.
import { afterAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/browser';
import { screenshotPath } from './support/page';
import { apiPost, freePort } from './support/server';
import { useDashboard } from './support/use-dashboard';

// The server inherits this environment: the signing secret never appears on its command line.
process.env.ORCHA_WEBHOOK_SECRET = 'e2e-webhook-signing-secret';
afterAll(() => {
  delete process.env.ORCHA_WEBHOOK_SECRET;
});
// Nothing listens on a port just found free: every attempt is refused and retried.
const closedPort = await freePort();
const sink = `webhook:127.0.0.1:${closedPort}`;
const dashboard = useDashboard({
  name: 'notifications',
  args: ['--notify-webhook', `http://127.0.0.1:${closedPort}/hook`],
});

describe('the Notifications view', () => {
  it('shows the delivery log per sink and raises a desktop notification when orcha needs the person', async () => {
    const { page, errors } = await dashboard.open({ path: '#/notifications' });
    await page.getByRole('heading', { name: /^Notifications/ }).waitFor();
    await page.context().grantPermissions(['notifications'], { origin: dashboard.server.url });
    const toggle = page.getByRole('button', { name: 'Turn desktop notifications on' });
    await toggle.click();
    await expect
      .poll(() =>
        page.getByRole('button', { name: 'Turn desktop notifications off' }).getAttribute('aria-pressed'),
      )
      .toBe('true');
    // Record what the dashboard shows, still through the browser's own Notification.
    await page.evaluate(() => {
      const Real = window.Notification;
      const shown: string[] = [];
      (window as unknown as { __shown: string[] }).__shown = shown;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push(`${title}|${options?.body ?? ''}`);
        }
      } as typeof Notification;
    });

    await apiPost(dashboard.server, '/api/objectives', {
      title: 'Tell me on my desktop',
      prompt: 'ship it',
      agent: 'fake',
    });
    // The fake rollout worker asks the person: the desktop hears of it from the change feed.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __shown: string[] }).__shown), {
        timeout: 30_000,
      })
      .toContainEqual('orcha needs you|Tell me on my desktop: ask user');

    // The log: the webhook's attempts were refused; the view says so and when it tries again.
    const delivery = page
      .locator('li.notification', { hasText: 'Tell me on my desktop' })
      .locator('li.delivery')
      .first();
    await expect.poll(() => delivery.getAttribute('data-status'), { timeout: 30_000 }).toBe('pending');
    await expect
      .poll(() => delivery.textContent(), { timeout: 30_000 })
      .toMatch(
        new RegExp(
          `^${sink} pending · [1-9]\\d* attempts? · next .* · 127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`,
        ),
      );
    expect(await page.locator('[data-sinks]').getAttribute('data-sinks')).toBe(sink);
    await page.screenshot({ path: screenshotPath('notifications-1440x900-light') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);
});
