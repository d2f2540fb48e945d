// The change feed survives a server restart: the page reconnects with Last-Event-ID and ends up with every
// event exactly once — including those written while it was disconnected — and the same counts as the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser';
import { serverEventIds } from './support/events';
import { openDashboard } from './support/page';
import {
  apiGet,
  apiPost,
  ensureBuilt,
  freePort,
  type OrchaServer,
  startOrcha,
  tempDir,
} from './support/server';

let server: OrchaServer;
let port: number;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
const data = tempDir('orcha-web-reconnect-');

interface Dashboard {
  summary: { counts: Record<string, number>; objectives: { id: string }[] };
  latestEventId: number;
}

beforeAll(async () => {
  await ensureBuilt();
  port = await freePort();
  server = await startOrcha({ port, dataDir: data.path, args: ['--no-demo'] });
  chromium = await launchChromium();
}, 900_000);

afterAll(async () => {
  await chromium?.close();
  await server?.stop();
  data.remove();
});

/** Waits until the server writes no new events for a while (the fake agents idle on their question). */
async function quiet(): Promise<number> {
  let last = -1;
  for (;;) {
    const { latestEventId } = await apiGet<Dashboard>(server, '/api/dashboard');
    if (latestEventId === last) return latestEventId;
    last = latestEventId;
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

describe('reconnection', () => {
  it('resumes after a restart without losing or duplicating events', async () => {
    const { page, errors } = await openDashboard(chromium.browser, server);
    await page.getByLabel('output & updates').check();
    await apiPost(server, '/api/objectives', { title: 'Before the restart', prompt: 'p', agent: 'fake' });
    const before = await quiet();
    await expect.poll(() => page.locator(`li.event[data-event-id="${before}"]`).count()).toBe(1);

    await server.stop();
    await expect
      .poll(() => page.locator('[data-connection]').getAttribute('data-connection'))
      .toBe('reconnecting');
    server = await startOrcha({ port, dataDir: data.path, args: ['--no-demo'] });
    // Written before the page is back: it must get these from the store, after its last id.
    const { objective } = await apiPost<{ objective: { id: string } }>(server, '/api/objectives', {
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
    const truth = await serverEventIds(server);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual(truth.slice(-shown.length));
    expect(shown.length).toBeGreaterThan(latest - before);
    expect(shown[0]!).toBeLessThanOrEqual(before);

    // The top bar agrees with the server.
    const { summary } = await apiGet<Dashboard>(server, '/api/dashboard');
    const count = (label: string) => page.locator(`[data-stat="${label}"] .stat-value`).textContent();
    await expect.poll(() => count('waiting on you')).toBe(String(summary.counts.openQuestions));
    await expect
      .poll(() => count('running'))
      .toBe(String((summary.counts.running ?? 0) + (summary.counts.starting ?? 0)));
    await expect.poll(() => count('open PRs')).toBe(String(summary.counts.openPullRequests));
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
