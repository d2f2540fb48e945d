// With `--tmux`, sessions are real tmux sessions: the panel draws the live pane with xterm.js, shows the
// attach command, and what is typed into the steering box reaches the program in the pane.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { screenshotPath } from './support/page';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

// A tmux server of its own: a stopped orcha leaves its tmux agents running (the next start re-attaches
// them), so the user's own orcha socket would keep this test's session.
const socket = `orcha-web-e2e-${process.pid}`;
const dashboard = useDashboard({ name: 'tmux', args: ['--tmux', '--tmux-socket', socket, '--no-demo'] });
afterAll(() => {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left to kill
  }
});

describe('terminal panel', () => {
  it('renders the live tmux pane and shows typed steering in it', async () => {
    const { page, errors } = await dashboard.open();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    const { manager } = await apiPost<{ manager: { id: string } }>(dashboard.server, '/api/objectives', {
      title: 'Terminal demo',
      prompt: 'Show the pane',
      agent: 'tmux',
    });
    await page.goto(`${dashboard.server.url}/#/session/${manager.id}`);
    const panel = page.locator(`[data-session-detail="${manager.id}"]`);
    // Once the session has its tmux attach command, the terminal tab opens by default and draws the pane.
    const attach = panel.getByTestId('attach-command');
    await attach.waitFor({ timeout: 20_000 });
    const command = await attach.textContent();
    expect(command).toMatch(/tmux .*attach.* -t orcha-/);
    await expect
      .poll(() => panel.getByRole('tab', { name: 'Terminal' }).getAttribute('aria-selected'))
      .toBe('true');
    const screen = panel.locator('.terminal-host .xterm-rows');
    await expect.poll(() => screen.textContent(), { timeout: 20_000 }).toContain('orcha demo agent');
    await expect
      .poll(() => panel.locator('[data-terminal-state]').getAttribute('data-terminal-state'))
      .toBe('live');

    // tmux sessions take typed input: steering is live and shows up in the pane.
    await expect.poll(() => panel.locator('[data-steering]').getAttribute('data-steering')).toBe('live');
    await expect.poll(() => screen.textContent(), { timeout: 20_000 }).toContain('Type a message');
    await panel.getByLabel(/^Steer/).fill('hello from the dashboard');
    await panel.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => screen.textContent(), { timeout: 10_000 })
      .toContain('got: hello from the dashboard');
    await page.screenshot({ path: screenshotPath('terminal-1440x900-light') });

    await panel.getByRole('button', { name: 'Copy' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);
    const { session } = await apiGet<{ session: { attachCommand: string } }>(
      dashboard.server,
      `/api/sessions/${manager.id}`,
    );
    expect(session.attachCommand).toBe(command);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
