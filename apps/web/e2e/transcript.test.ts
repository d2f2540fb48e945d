// A long transcript in the session panel: it opens at the newest message, pages back with `?after=` as the
// virtual list scrolls, keeps only the rows in view in the DOM, and takes new messages from the live stream.
import { describe, expect, it } from 'vitest';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

interface Detail {
  session: { status: string; messageCount: number };
}
interface Page_ {
  messages: { seq: number; text: string }[];
}

const dashboard = useDashboard({ name: 'transcript', args: ['--no-demo'] });

const rowHeight = 22;

describe('transcript', () => {
  it('opens at the end of a long transcript, pages back, and follows the live stream', async () => {
    const { manager } = await apiPost<{ manager: { id: string } }>(dashboard.server, '/api/objectives', {
      title: 'Long transcript',
      prompt: 'p',
      agent: 'fake',
    });
    const detail = () => apiGet<Detail>(dashboard.server, `/api/sessions/${manager.id}`);
    await expect.poll(async () => (await detail()).session.status).toBe('waiting_input');
    // The manager is live and interactive: every message it is sent is written to its transcript and answered.
    for (let i = 0; i < 450; i++)
      await apiPost(dashboard.server, `/api/sessions/${manager.id}/messages`, {
        text: `steering message ${i}`,
      });
    let total = 0;
    await expect
      .poll(
        async () => {
          const count = (await detail()).session.messageCount;
          const settled = count === total;
          total = count;
          return settled && count > 1000;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);

    const { page, errors } = await dashboard.open();
    const afters: number[] = [];
    page.on('request', (request) => {
      const match = /\/messages\?after=(\d+)/.exec(request.url());
      if (match) afters.push(Number(match[1]));
    });
    await page.goto(`${dashboard.server.url}/#/session/${manager.id}`);
    const list = page.locator('.transcript-list');
    const row = (seq: number) => list.locator(`button.message[data-seq="${seq}"]`);
    // Opens at the newest message; only a window of rows is in the DOM.
    await row(total).waitFor();
    expect(await list.locator('.virtual-row').count()).toBeLessThan(80);
    expect(await row(1).count()).toBe(0);
    // Only the last pages were fetched to open it.
    expect(Math.min(...afters)).toBeGreaterThan(total - 400);
    expect(await list.evaluate((element) => element.scrollHeight)).toBe(total * rowHeight);

    // Back to the start: the first page is fetched and drawn.
    await list.evaluate((element) => {
      element.scrollTop = 0;
    });
    await row(1).waitFor();
    const first = await apiGet<Page_>(
      dashboard.server,
      `/api/sessions/${manager.id}/messages?after=0&limit=3`,
    );
    expect(await row(1).locator('.text').textContent()).toBe(first.messages[0]!.text.split('\n')[0]);
    expect(afters).toContain(0);

    // The middle, read in full in the inspector.
    const middle = Math.floor(total / 2);
    await list.evaluate((element, top) => {
      element.scrollTop = top;
    }, middle * rowHeight);
    await row(middle + 1).waitFor();
    await row(middle + 1).click();
    const expected = await apiGet<Page_>(
      dashboard.server,
      `/api/sessions/${manager.id}/messages?after=${middle}&limit=1`,
    );
    await expect.poll(() => page.locator('.inspector-body').textContent()).toBe(expected.messages[0]!.text);
    expect(new Set(afters).size).toBeGreaterThanOrEqual(3);

    // A message sent now arrives on the live stream, at the end.
    await page.getByLabel(/^Steer/).fill('the newest message');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(async () => (await detail()).session.messageCount).toBeGreaterThan(total);
    await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await list.locator('button.message', { hasText: 'the newest message' }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
