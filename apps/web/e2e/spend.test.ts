// What cost a person reads at 1440×900: an objective's header figure is the sum of its sessions' costs and
// is never clipped (it once read "31k tok · $0" beside sessions of $0.01–$0.05: the meta line cut "$0.13"),
// and objectives with a budget show spent / budget, pausing their sessions with a question at 100 %.
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './support/browser';
import { objectiveSection, screenshotPath } from './support/page';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

const dashboard = useDashboard({ name: 'spend', args: ['--no-demo'] });

interface Dashboard {
  summary: { sessions: { objectiveId: string; usage: { costUsd: number } }[] };
}

const formatCost = (usd: number) => (usd === 0 ? '$0' : usd < 0.01 ? '<$0.01' : `$${usd.toFixed(2)}`);

describe('cost on the dashboard', () => {
  it('shows the whole sum of its sessions in the objective header, and spent / budget bars', async () => {
    const { page, errors } = await dashboard.open();
    const long =
      'Roll out the new search page to every region with a feature flag, metrics, docs and a rollback plan';
    const { objective } = await apiPost<{ objective: { id: string } }>(dashboard.server, '/api/objectives', {
      title: long,
      prompt: 'ship it',
      repo: 'demo/app',
      agent: 'fake',
    });
    const section = objectiveSection(page, objective.id);
    const figure = section.locator('[data-objective-usage]');
    // The figure a person sees (text as rendered, not clipped) against the sum the API reports, once workers spent.
    await expect
      .poll(
        async () => {
          const summary = await apiGet<Dashboard>(dashboard.server, '/api/dashboard');
          const cost = summary.summary.sessions
            .filter((session) => session.objectiveId === objective.id)
            .reduce((total, session) => total + session.usage.costUsd, 0);
          const seen = await figure.evaluate((element) => {
            const box = element.getBoundingClientRect();
            const head = element.closest('header')!.getBoundingClientRect();
            const visible = box.right <= head.right + 0.5 && element.scrollWidth <= element.clientWidth + 0.5;
            // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
            return `${(element as HTMLElement).innerText.split('\n')[0]}${visible ? '' : ' (clipped)'}`;
          });
          return cost >= 0.05 ? seen.endsWith(`· ${formatCost(cost)}`) : `not yet: ${seen}`;
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    await page.screenshot({ path: screenshotPath('spend-header-1440x900-light') });

    // A budget: the bar shows the share spent; at 100 % the sessions pause and the person is asked.
    const capped = await apiPost<{ objective: { id: string } }>(dashboard.server, '/api/objectives', {
      title: 'Capped objective',
      prompt: 'ship it',
      agent: 'fake',
      budget: { usd: 0.05 },
    });
    const bar = objectiveSection(page, capped.objective.id).locator(
      '[data-objective-usage] meter.budget-bar',
    );
    await bar.waitFor();
    expect(await bar.getAttribute('aria-label')).toMatch(
      /^Capped objective spent: \d+% of budget \(USD 0\.\d\d\/0\.05\)$/,
    );
    await expect
      .poll(() => page.locator('article.question.kind-budget').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    // The usage that spent it reaches the page on its own event, which may come just after the question's.
    await expect.poll(() => bar.getAttribute('aria-label')).toMatch(/: 1\d\d% of budget/);
    expect(await bar.getAttribute('class')).toContain('budget-spent');
    await page.screenshot({ path: screenshotPath('spend-budget-1440x900-light') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);
});
