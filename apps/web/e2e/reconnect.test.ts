// The change feed survives a server restart: the page reconnects with Last-Event-ID and ends up with every
// event exactly once — including those written while it was disconnected — and the same counts as the server.
import { describe, expect, it } from 'vitest';
import { serverEventIds } from './support/events';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

const dashboard = useDashboard({ name: 'reconnect', args: ['--no-demo'] });

interface Dashboard {
  summary: { counts: Record<string, number>; objectives: { id: string }[] };
  latestEventId: number;
}

/** Waits until the server writes no new events for a while (the fake agents idle on their question). */
async function quiet(): Promise<number> {
  let last = -1;
  for (;;) {
    const { latestEventId } = await apiGet<Dashboard>(dashboard.server, '/api/dashboard');
    if (latestEventId === last) return latestEventId;
    last = latestEventId;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

describe('reconnection', () => {
  it('resumes after a restart without losing or duplicating events', async () => {
    const { page, errors } = await dashboard.open();
    await page.getByLabel('output & updates').check();
    await apiPost(dashboard.server, '/api/objectives', {
      title: 'Before the restart',
      prompt: 'p',
      agent: 'fake',
    });
    const before = await quiet();
    await expect.poll(() => page.locator(`li.event[data-event-id="${before}"]`).count()).toBe(1);

    await dashboard.server.stop();
    await expect
      .poll(() => page.locator('[data-connection]').getAttribute('data-connection'))
      .toBe('reconnecting');
    await dashboard.start();
    // Written before the page is back: it must get these from the store, after its last id.
    const { objective } = await apiPost<{ objective: { id: string } }>(dashboard.server, '/api/objectives', {
      title: 'After the restart',
      prompt: 'p',
      agent: 'fake',
    });
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    await page.locator(`section.objective[data-objective-id="${objective.id}"]`).waitFor();
    const latest = await quiet();
    await expect.poll(() => page.locator(`li.event[data-event-id="${latest}"]`).count()).toBe(1);

    const shown = (
      await page
        .locator('li.event')
        .evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-event-id'))))
    ).reverse();
    const truth = await serverEventIds(dashboard.server);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(truth.slice(-shown.length));
    expect(shown.length).toBeGreaterThan(latest - before);
    expect(shown[0]!).toBeLessThanOrEqual(before);

    // The top bar agrees with the server (read afresh each time: the fake agents may still move).
    const agrees = async (label: string, pick: (counts: Record<string, number>) => number) => {
      const { summary } = await apiGet<Dashboard>(dashboard.server, '/api/dashboard');
      const shown = await page.locator(`[data-stat="${label}"] .stat-value`).textContent();
      return (
        shown === String(pick(summary.counts)) || `${label}: page ${shown}, server ${pick(summary.counts)}`
      );
    };
    await expect.poll(() => agrees('waiting on you', (counts) => counts.openQuestions ?? 0)).toBe(true);
    await expect
      .poll(() => agrees('running', (counts) => (counts.running ?? 0) + (counts.starting ?? 0)))
      .toBe(true);
    await expect.poll(() => agrees('open PRs', (counts) => counts.openPullRequests ?? 0)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
