// The views a person reads: targets (adding a machine shows its doctor report), pull requests, a session,
// the overview — checked with axe-core in both themes and saved as screenshots at desktop and phone size.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/browser';
import { phone, screenshotPath, sessionRow, wide } from './support/page';
import { apiGet, apiPost, tempDir } from './support/server';
import { useDashboard } from './support/use-dashboard';

const dashboard = useDashboard({ name: 'views', args: ['--feedback-interval', '300ms'] });
const work = tempDir('orcha-web-target-');

interface Sessions {
  sessions: { id: string; title: string; status: string; role: string }[];
}

beforeAll(async () => {
  // Two more objectives beside the demo's, so the views show several at once.
  for (const title of ['Migrate the billing jobs to the new queue', 'Fix the flaky login test']) {
    await apiPost(dashboard.server, '/api/objectives', { title, prompt: title, agent: 'fake' });
  }
  // Let the demo objective reach its question, so every view has something to show.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { sessions } = await apiGet<Sessions>(dashboard.server, '/api/sessions');
    if (sessions.some((s) => s.status === 'waiting_input' && s.role === 'worker')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 60_000);

afterAll(() => work.remove());

async function expectAccessible(page: Page, view: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${view}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

describe('views', () => {
  it('adds a local machine and shows its doctor report; drains and enables it', async () => {
    const { page, errors } = await dashboard.open({ path: '#/targets' });
    const form = page.locator('section.add-target');
    await form.getByLabel('this machine').check();
    await form.getByLabel('Name').fill('e2e-box');
    await form.getByLabel('Work root').fill(work.path);
    await form.getByLabel('Capacity (sessions)').fill('3');
    await form.getByRole('button', { name: 'Add and run doctor' }).click();
    const registration = form.locator('[data-registered="e2e-box"]');
    await registration.waitFor({ timeout: 30_000 });
    const checks = registration.locator('li.check');
    expect(await checks.count()).toBeGreaterThan(2);
    // Each check says what it found; failing ones say how to fix them.
    const { targets } = await apiGet<{
      targets: {
        name: string;
        status: string;
        doctor: { ok: boolean; checks: { name: string; ok: boolean; required: boolean }[] };
      }[];
    }>(dashboard.server, '/api/targets');
    const stored = targets.find((t) => t.name === 'e2e-box')!;
    for (const check of stored.doctor.checks) {
      const item = registration.locator(`li.check[data-check="${check.name}"]`);
      expect(await item.getAttribute('class')).toContain(
        check.ok ? 'pass' : check.required ? 'fail' : 'warn',
      );
    }
    const card = page.locator('article.target[data-target-name="e2e-box"]');
    await expect.poll(() => card.locator('.doctor li.check').count()).toBe(stored.doctor.checks.length);
    await expect.poll(() => card.locator('.chip').first().textContent()).toBe(stored.status);
    if (stored.status === 'online') {
      await card.getByRole('button', { name: 'Drain' }).click();
      await expect.poll(() => card.locator('.chip').first().textContent()).toBe('draining');
      await card.getByRole('button', { name: 'Enable' }).click();
      await expect.poll(() => card.locator('.chip').first().textContent()).toBe('online');
    }
    await expect.poll(() => card.locator('.capacity').textContent()).toContain('/3');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('has no serious accessibility violations and looks right at 1440×900 and 390×844', async () => {
    const { sessions } = await apiGet<Sessions>(dashboard.server, '/api/sessions');
    const worker = sessions.find((s) => s.role === 'worker' && s.status === 'waiting_input') ?? sessions[0]!;
    const views = [
      { name: 'overview', path: '' },
      { name: 'session', path: `#/session/${worker.id}` },
      { name: 'pulls', path: '#/pulls' },
      { name: 'targets', path: '#/targets' },
    ];
    for (const [size, viewport] of [
      ['1440x900', wide],
      ['390x844', phone],
    ] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const view of views) {
          const { page, errors } = await dashboard.open({
            viewport,
            colorScheme,
            path: view.path,
          });
          if (view.name === 'session')
            await page.locator(`[data-session-detail="${worker.id}"] .transcript`).waitFor();
          if (view.name === 'overview') await sessionRow(page, worker.id).waitFor();
          // No horizontal overflow: the page fits its width.
          expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
            true,
          );
          await expectAccessible(page, `${view.name} ${size} ${colorScheme}`);
          await page.screenshot({ path: screenshotPath(`${view.name}-${size}-${colorScheme}`) });
          expect(errors).toEqual([]);
          await page.context().close();
        }
      }
    }
  }, 180_000);
});
