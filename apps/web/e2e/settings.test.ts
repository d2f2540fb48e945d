// The Settings view: the effective configuration from a config file, flags and defaults, each value with
// where it came from, and secrets shown only as the environment variable they are read from.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/browser';
import { screenshotPath } from './support/page';
import { tempDir } from './support/server';
import { useDashboard } from './support/use-dashboard';

// The server inherits this environment; the file names only the variable.
process.env.E2E_WORK_KEY = 'sk-ant-e2e-never-on-screen';
const folder = tempDir('orcha-web-settings-file-');
const file = join(folder.path, 'orcha.config.json');
writeFileSync(
  file,
  JSON.stringify({
    maxConcurrent: 3,
    profiles: [{ name: 'claude-work', kind: 'claude', env: { ANTHROPIC_API_KEY: '$E2E_WORK_KEY' } }],
    defaultAgent: 'fake',
    budgets: { objective: { usd: 2.5, tokens: 400_000 } },
  }),
);
afterAll(() => {
  delete process.env.E2E_WORK_KEY;
  folder.remove();
});
const dashboard = useDashboard({ name: 'settings', args: ['--config', file, '--no-demo'] });

describe('the Settings view', () => {
  it('shows each effective value with its source, secrets masked', async () => {
    const { page, errors } = await dashboard.open({ path: '#/settings' });
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const row = (name: string) => page.locator(`tr[data-setting="${name}"]`);
    await row('budgets').waitFor();
    expect(await row('budgets').locator('td').allTextContents()).toEqual([
      '{ "objective": { "tokens": 400000, "usd": 2.5 } }',
      'config file',
    ]);
    expect(await row('maxConcurrent').locator('td').allTextContents()).toEqual(['3', 'config file']);
    expect(await row('port').locator('td').allTextContents()).toEqual([
      String(dashboard.server.port),
      'flag',
    ]);
    expect(await row('tmux').locator('td').allTextContents()).toEqual(['false', 'default']);
    expect(await row('profiles').textContent()).toContain('"ANTHROPIC_API_KEY": "$E2E_WORK_KEY"');
    expect(await page.locator('body').textContent()).not.toContain('sk-ant-e2e-never-on-screen');
    expect(await page.getByText(file).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('settings-1440x900-light') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);
});
