// The dashboard against a real `orcha serve` (fake agents, demo reviewer on) in Debian's chromium: an
// objective from the form runs to the end without a reload, a question is answered from "Needs you",
// a session is steered and another canceled, the keyboard and the theme toggle work.
import { describe, expect, it } from 'vitest';
import { markDocument, objectiveSection, sessionRow, stillSameDocument } from './support/page';
import { apiGet, apiPost } from './support/server';
import { useDashboard } from './support/use-dashboard';

interface SessionList {
  sessions: {
    id: string;
    role: string;
    title: string;
    status: string;
    objectiveId: string;
    pullRequestId: string | null;
  }[];
}

const dashboard = useDashboard({ name: 'e2e', args: ['--feedback-interval', '300ms'] });

const sessionsOf = async (objectiveId: string) =>
  (await apiGet<SessionList>(dashboard.server, `/api/sessions?objectiveId=${objectiveId}`)).sessions;

describe('dashboard', () => {
  it('runs an objective created from the form to the end, with a question answered, without reloading', async () => {
    const { page, errors } = await dashboard.open();
    await markDocument(page);
    await page.getByRole('button', { name: 'New objective' }).click();
    const form = page.getByRole('form', { name: 'New objective' });
    await form.getByLabel('Title').fill('E2E: add a version endpoint');
    await form.getByLabel('Prompt').fill('Add GET /version returning the build version.');
    await form.getByLabel('Repository (optional)').fill('demo/app');
    await form.getByLabel('Base branch').fill('main');
    await form.getByLabel('Agent').selectOption('fake');
    await form.getByRole('button', { name: 'Create objective' }).click();

    // Creating opens the manager's panel.
    await page.waitForURL(/#\/session\/ses_/);
    const managerId = decodeURIComponent(page.url().split('#/session/')[1]!);
    const manager = sessionRow(page, managerId);
    await expect.poll(() => manager.getAttribute('data-role')).toBe('manager');
    const { session: managerSession } = await apiGet<{ session: { objectiveId: string } }>(
      dashboard.server,
      `/api/sessions/${managerId}`,
    );
    const objectiveId = managerSession.objectiveId;
    const section = objectiveSection(page, objectiveId);
    await expect
      .poll(() => section.locator('.objective-title').textContent())
      .toBe('E2E: add a version endpoint');

    // Workers appear under the manager as the manager spawns them, then the two coders finish.
    await expect.poll(() => section.locator('a[data-role="worker"]').count(), { timeout: 20_000 }).toBe(3);
    await expect
      .poll(() => section.locator('a[data-role="worker"][data-status="completed"]').count(), {
        timeout: 30_000,
      })
      .toBe(2);
    // The review on the first pull request is answered by a follow-up, shown in the tree.
    await expect
      .poll(() => section.locator('a[data-role="follow-up"][data-status="completed"]').count(), {
        timeout: 30_000,
      })
      .toBe(1);

    // The rollout worker asks; its question is in "Needs you" with its options as buttons.
    const question = page.locator('article.question', { hasText: 'E2E: add a version endpoint' });
    await question.waitFor({ timeout: 20_000 });
    const planner = (await sessionsOf(objectiveId)).find((s) => s.title.startsWith('Plan the rollout'))!;
    await expect.poll(() => sessionRow(page, planner.id).getAttribute('data-status')).toBe('waiting_input');
    await question.getByRole('button', { name: 'feature flag' }).click();
    await question.waitFor({ state: 'detached' });

    // Answering resumes the worker; then the manager closes the objective.
    await expect
      .poll(() => sessionRow(page, planner.id).getAttribute('data-status'), { timeout: 30_000 })
      .toBe('completed');
    await expect.poll(() => section.locator('.chip').first().textContent(), { timeout: 30_000 }).toBe('done');
    await expect.poll(() => manager.getAttribute('data-status')).toBe('completed');
    const server_ = await sessionsOf(objectiveId);
    for (const session of server_) {
      await expect.poll(() => sessionRow(page, session.id).getAttribute('data-status')).toBe(session.status);
    }

    // The pull requests view lists both, with the review and the follow-up it spawned.
    await page.getByRole('link', { name: 'Pull requests', exact: true }).click();
    const pr = page
      .locator('li.pr', { hasText: 'E2E: add a version endpoint' })
      .filter({ has: page.locator('.feedback-item') });
    await expect.poll(() => pr.locator('.feedback-item').count()).toBe(1);
    await expect.poll(() => pr.locator('.feedback-item .followup .chip').textContent()).toBe('completed');
    expect(await page.locator('li.pr', { hasText: 'E2E: add a version endpoint' }).count()).toBe(2);

    expect(await stillSameDocument(page)).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('steers a live session and cancels another', async () => {
    const { objective, manager } = await apiPost<{ objective: { id: string }; manager: { id: string } }>(
      dashboard.server,
      '/api/objectives',
      {
        title: 'E2E: steer and cancel',
        prompt: 'Anything',
        agent: 'fake',
      },
    );
    const { page, errors } = await dashboard.open({
      path: `#/session/${manager.id}`,
    });
    // The manager idles waiting for its workers: steering reaches its live process.
    await expect
      .poll(() => sessionRow(page, manager.id).getAttribute('data-status'), { timeout: 20_000 })
      .toBe('waiting_input');
    const detail = page.locator(`[data-session-detail="${manager.id}"]`);
    await expect.poll(() => detail.locator('[data-steering]').getAttribute('data-steering')).toBe('live');
    await detail.getByLabel(/^Steer/).fill('please report progress');
    await detail.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => detail.locator('.steer-result').textContent())
      .toContain('delivered to the running agent');
    // The message shows up in the live transcript.
    await expect
      .poll(
        () =>
          detail
            .locator('.transcript button.message.kind-user', { hasText: 'please report progress' })
            .count(),
        { timeout: 10_000 },
      )
      .toBe(1);

    // Cancel the rollout worker while it waits for its answer.
    let planner: { id: string } | undefined;
    await expect
      .poll(
        async () => {
          planner = (await sessionsOf(objective.id)).find(
            (s) => s.title.startsWith('Plan the rollout') && s.status === 'waiting_input',
          );
          return planner !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await sessionRow(page, planner!.id).click();
    const plannerDetail = page.locator(`[data-session-detail="${planner!.id}"]`);
    await plannerDetail.getByRole('button', { name: 'Cancel session' }).click();
    await plannerDetail.getByRole('button', { name: 'Confirm cancel' }).click();
    await expect.poll(() => sessionRow(page, planner!.id).getAttribute('data-status')).toBe('canceled');
    await expect.poll(() => plannerDetail.locator('.steer').count()).toBe(0);
    expect((await sessionsOf(objective.id)).find((s) => s.id === planner!.id)!.status).toBe('canceled');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('moves with j/k, opens with Enter, filters with / and closes with Esc; the theme toggles', async () => {
    const { page } = await dashboard.open();
    await page.locator('a.session-row').first().waitFor();
    await page.keyboard.press('/');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');
    await page.keyboard.type('steer and cancel');
    await expect.poll(() => page.locator('section.objective').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    const first = page.locator('a.session-row.selected');
    await expect.poll(() => first.count()).toBe(1);
    const firstId = await first.getAttribute('data-session-id');
    await page.keyboard.press('j');
    const secondId = await page.locator('a.session-row.selected').getAttribute('data-session-id');
    expect(secondId).not.toBe(firstId);
    await page.keyboard.press('k');
    expect(await page.locator('a.session-row.selected').getAttribute('data-session-id')).toBe(firstId);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/session/${firstId}$`));
    await page.locator(`[data-session-detail="${firstId}"]`).waitFor();
    await page.keyboard.press('Escape');
    await page.waitForURL(/#\/$/);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('section.objective').count()).toBeGreaterThan(1);

    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByRole('button', { name: /Switch theme/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.context().close();
  }, 60_000);
});
