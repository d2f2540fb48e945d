// "Continue on…" in the session panel against a real `orcha serve` (fake agents): the person moves a live
// manager to another agent; the panel, the transcript and the feed show the switch without a reload, and an
// exhausted agent cannot be chosen.
import { describe, expect, it } from 'vitest';
import { markDocument, sessionRow, stillSameDocument } from './support/page';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

const dashboard = useDashboard({ name: 'continue-on', args: ['--no-demo'] });

describe('continue on another agent', () => {
  it('switches a live session from its panel, and shows the switch', async () => {
    const { manager } = await apiPost<{ manager: { id: string } }>(dashboard.server, '/api/objectives', {
      title: 'E2E: continue on codex',
      prompt: 'Anything',
      agent: 'fake',
    });
    const { page, errors } = await dashboard.open({ path: `#/session/${manager.id}` });
    await markDocument(page);
    await expect
      .poll(() => sessionRow(page, manager.id).getAttribute('data-status'), { timeout: 20_000 })
      .toBe('waiting_input');
    const detail = page.locator(`[data-session-detail="${manager.id}"]`);
    const choose = detail.getByLabel('Continue on agent');
    await expect
      .poll(() => choose.locator('option').allTextContents())
      .toEqual(['choose an agent', 'claude', 'codex']);
    await choose.selectOption('codex');
    await detail.getByRole('button', { name: 'Switch' }).click();

    await expect.poll(() => detail.locator('.facts').textContent()).toContain('codex ·');
    await expect
      .poll(
        () =>
          detail.locator('.transcript button.message', { hasText: 'continues on codex (was fake)' }).count(),
        {
          timeout: 10_000,
        },
      )
      .toBe(1);
    // Closed, the panel gives way to "What changed", which names the switch.
    await detail.getByRole('link', { name: 'Close session (Esc)' }).click();
    await expect
      .poll(() => page.locator('li[data-event-type="session-agent-switch"]').first().textContent())
      .toContain('continues on codex (was fake)');
    const { session } = await apiGet<{ session: { agent: string } }>(
      dashboard.server,
      `/api/sessions/${manager.id}`,
    );
    expect(session.agent).toBe('codex');
    expect(await stillSameDocument(page)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
