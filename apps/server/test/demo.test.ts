import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { until } from './until.js';

let server: RunningServer | null = null;
let dir: TempDir | null = null;
afterEach(async () => {
  await server?.close();
  await dir?.remove();
  server = null;
  dir = null;
});

describe('orcha serve with fake agents', () => {
  it('runs the live demo: two pull requests, a review answered by a follow-up, a question for the person', async () => {
    dir = await createTempDir('orcha-serve-');
    server = await startServer(
      parseConfig(['--port', '0', '--data-dir', dir.path, '-feedback-interval', '100ms'], {}),
    );
    const running = server;
    const { store } = running.orchestrator;
    const dashboard = (await (await fetch(`${running.url}/api/dashboard`)).json()) as {
      info: { fakeAgents: boolean };
    };
    expect(dashboard.info.fakeAgents).toBe(true);

    const question = await until(store, () => store.listQuestions({ status: 'open' })[0]);
    expect(question.kind).toBe('ask_user');
    const objective = store.listObjectives()[0]!;
    await until(store, () => store.listPullRequests({ objectiveId: objective.id }).length === 2);
    const followup = await until(store, () =>
      store
        .listSessions({ objectiveId: objective.id })
        .find((s) => s.pullRequestId && s.status === 'completed'),
    );
    expect(followup.title).toMatch(/^PR #\d+: answer review from demo-reviewer/);
    expect(store.getObjective(objective.id).status).toBe('active'); // still waiting on the person

    const answered = await fetch(`${running.url}/api/questions/${question.id}/answer`, {
      method: 'POST',
      body: JSON.stringify({ answer: 'feature flag' }),
    });
    expect(answered.status).toBe(200);
    await until(store, () => store.getObjective(objective.id).status === 'done');
    const sessions = store.listSessions({ objectiveId: objective.id });
    expect(sessions.filter((s) => s.role === 'worker').map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    const pushes = store.listPullRequests({ objectiveId: objective.id });
    expect(pushes.every((pr) => pr.state === 'open')).toBe(true);
    const notes = store.listNotes({ objectiveId: objective.id }).map((note) => note.title);
    expect(notes).toContain('Done: ROLLOUT.md');
  });

  it('serves the seed curl example verbatim and says agents are fake', async () => {
    dir = await createTempDir('orcha-serve-');
    server = await startServer(parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo'], {}));
    const response = await fetch(`${server.url}/api/objectives`, {
      method: 'POST',
      body: '{"title":"Port subsystem to Rust","prompt":"...","agent":"claude"}',
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { manager: { agent: string } };
    expect(created.manager.agent).toBe('claude'); // served by the fake provider offline
    const health = await fetch(`${server.url}/api/dashboard`);
    expect(((await health.json()) as { info: { fakeAgents: boolean } }).info.fakeAgents).toBe(true);
  });
});
