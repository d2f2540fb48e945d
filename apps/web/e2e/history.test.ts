// The overview holds what is active and the newest finished objectives; older ones come a page at a time when
// the person asks for them, and stay through a reload of the snapshot.
import { beforeAll, describe, expect, it } from 'vitest';
import { objectiveSection } from './support/page';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

const dashboard = useDashboard({ name: 'history', args: ['--no-demo'] });

interface Dashboard {
  summary: { objectives: { id: string; status: string }[]; historyNext: string | null };
}

/** Objective ids, oldest first; all but the last two are canceled in creation order. */
const created: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 26; i++) {
    const { objective } = await apiPost<{ objective: { id: string } }>(dashboard.server, '/api/objectives', {
      title: `History ${String(i).padStart(2, '0')}`,
      prompt: 'wait',
      agent: 'fake',
    });
    created.push(objective.id);
  }
  for (const id of created.slice(0, 24)) await apiPost(dashboard.server, `/api/objectives/${id}/cancel`);
}, 60_000);

describe('history', () => {
  it('shows the newest finished objectives first and pages older ones in on demand', async () => {
    const first = await apiGet<Dashboard>(dashboard.server, '/api/dashboard');
    const { objectives: all } = await apiGet<{ objectives: { id: string }[] }>(
      dashboard.server,
      '/api/objectives',
    );
    expect(first.summary.historyNext).not.toBeNull();
    expect(first.summary.objectives.length).toBeLessThan(all.length);

    const { page, errors } = await dashboard.open();
    const cards = page.locator('section.objective');
    await expect.poll(() => cards.count()).toBe(first.summary.objectives.length);
    // The first canceled objective is the oldest in history: not in the first answer.
    const oldest = created[0]!;
    expect(await objectiveSection(page, oldest).count()).toBe(0);

    const more = page.getByRole('button', { name: 'Show older objectives' });
    await more.click();
    await expect.poll(() => cards.count()).toBe(all.length);
    await objectiveSection(page, oldest).waitFor();
    await expect.poll(() => more.count()).toBe(0);

    // A new objective makes the page reload nothing it paged in.
    const { objective } = await apiPost<{ objective: { id: string } }>(dashboard.server, '/api/objectives', {
      title: 'History after paging',
      prompt: 'wait',
      agent: 'fake',
    });
    await objectiveSection(page, objective.id).waitFor();
    expect(await objectiveSection(page, oldest).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('answers a page by cursor, and a clear error for a bad one', async () => {
    const first = await apiGet<Dashboard>(dashboard.server, '/api/dashboard');
    const page = await apiGet<{ objectives: { id: string }[]; next: string | null }>(
      dashboard.server,
      `/api/dashboard/history?before=${first.summary.historyNext}&limit=2`,
    );
    // Finished objectives older than the first page: the first four canceled (ties in time broken by id).
    expect(page.objectives).toHaveLength(2);
    for (const { id } of page.objectives) expect(created.slice(0, 4)).toContain(id);
    expect(page.next).toBe(page.objectives[1]!.id);
    const bad = await fetch(`${dashboard.server.url}/api/dashboard/history?before=nope`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_argument' } });
  });
});
