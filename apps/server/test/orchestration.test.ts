import { createFakeProvider } from '@orcha/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { api, eventsOf, type Harness, startHarness } from './harness.js';
import { byRole, listSessions, untilWorkersEnd, writeOneFile } from './scripts.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close({ remove: true });
  harness = null;
});

describe('an objective, end to end over MCP', () => {
  it('opens two independent pull requests and finishes', async () => {
    const provider = createFakeProvider({
      script: byRole({
        manager: async (agent) => {
          // An idle manager gives its slot back and is resumed with the news: it spawned already.
          for (const part of agent.resumed ? [] : ['parser', 'printer']) {
            await agent.callTool('spawn_session', {
              title: `Write the ${part}`,
              prompt: `write the ${part}`,
            });
          }
          const workers = await untilWorkersEnd(agent);
          for (const worker of workers) {
            await agent.callTool('publish_pr', { sessionId: worker.id, title: worker.title });
          }
          await agent.callTool('mark_objective_done', { summary: 'two pull requests' });
          return 'done';
        },
        worker: writeOneFile,
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'Split the formatter',
      prompt: 'split it',
      repo: 'acme/fmt',
      agent: 'fake',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const { store } = harness;
    await harness.until(() => store.getObjective(objectiveId).status === 'done');
    const prs = store.listPullRequests({ objectiveId });
    expect(prs.map((pr) => pr.title).sort()).toEqual(['Write the parser', 'Write the printer']);
    expect(prs.every((pr) => pr.state === 'open' && pr.repo === 'acme/fmt')).toBe(true);
    expect(harness.forge.list()).toHaveLength(2);
    const sessions = store.listSessions({ objectiveId });
    expect(sessions.map((s) => `${s.role}:${s.status}`).sort()).toEqual([
      'manager:completed',
      'worker:completed',
      'worker:completed',
    ]);
    // The workers' results reached the manager as messages in its transcript.
    const manager = sessions.find((s) => s.role === 'manager')!;
    const told = store.listMessages(manager.id, { after: 0, limit: 500 }).filter((m) => m.kind === 'user');
    expect(
      told.filter((m) => /Worker ses_\w+ "Write the (parser|printer)" completed: wrote/.test(m.text)),
    ).toHaveLength(2);
  });

  it('turns PR feedback into a follow-up worker while another worker keeps running', async () => {
    let release: () => void = () => {};
    const slowDone = new Promise<void>((resolve) => {
      release = resolve;
    });
    const provider = createFakeProvider({
      script: byRole({
        manager: async (agent) => {
          await agent.callTool('spawn_session', { title: 'quick', prompt: 'quick' });
          await agent.callTool('spawn_session', { title: 'slow', prompt: 'slow' });
          for (;;) {
            const sessions = await listSessions(agent);
            const quick = sessions.find((s) => s.title === 'quick');
            if (quick?.status === 'completed') {
              await agent.callTool('publish_pr', { sessionId: quick.id, title: 'Quick change' });
              break;
            }
            await agent.waitForInput();
          }
          await agent.hang();
        },
        worker: async (agent) => {
          if (agent.prompt === 'slow') await Promise.race([slowDone, agent.hang()]);
          return writeOneFile(agent);
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const { store, forge, orchestrator } = harness;
    const { objective } = await orchestrator.createObjective({
      title: 'feedback',
      prompt: 'p',
      repo: 'acme/app',
    });
    const pr = await harness.until(() => store.listPullRequests({ objectiveId: objective.id })[0]);
    forge.addReview(pr.repo, pr.number, {
      author: 'reviewer',
      body: 'Rename the flag, please.',
      state: 'changes_requested',
    });
    await orchestrator.pollFeedback();
    await orchestrator.pollFeedback(); // a second poll must not duplicate the follow-up
    const followups = store
      .listSessions({ objectiveId: objective.id })
      .filter((s) => s.pullRequestId === pr.id);
    expect(followups).toHaveLength(1);
    expect(followups[0]!.prompt).toContain('Rename the flag, please.');
    await harness.until(() => store.getSession(followups[0]!.id).status === 'completed');
    const slow = store.listSessions({ objectiveId: objective.id }).find((s) => s.title === 'slow')!;
    expect(store.getSession(slow.id).status).toBe('running');
    expect(store.getSession(followups[0]!.id).workspaceId).not.toBeNull();
    // A pull request's branch was asked for; without git (the scratch preparer) a scratch directory stands in.
    expect(store.getSession(followups[0]!.id).workspaceKind).toBe('pr_branch');
    expect(store.getWorkspace(store.getSession(followups[0]!.id).workspaceId!).kind).toBe('scratch');
    release();
    await harness.until(() => store.getSession(slow.id).status === 'completed');
  });

  it('runs dependents in order and cancels them when a dependency fails', async () => {
    const provider = createFakeProvider({
      script: byRole({
        manager: async (agent) => {
          const first = (await agent.callTool('spawn_session', { title: 'first', prompt: 'ok' })) as {
            id: string;
          };
          await agent.callTool('spawn_session', { title: 'second', prompt: 'ok', dependsOn: [first.id] });
          const bad = (await agent.callTool('spawn_session', { title: 'bad', prompt: 'fail' })) as {
            id: string;
          };
          const after = (await agent.callTool('spawn_session', {
            title: 'after-bad',
            prompt: 'ok',
            dependsOn: [bad.id],
          })) as { id: string };
          await agent.callTool('spawn_session', {
            title: 'after-after',
            prompt: 'ok',
            dependsOn: [after.id],
          });
          await untilWorkersEnd(agent);
          return 'all ended';
        },
        worker: async (agent) => {
          if (agent.prompt === 'fail') agent.fail('the build is broken');
          return writeOneFile(agent);
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const { store, orchestrator } = harness;
    const { objective, manager } = await orchestrator.createObjective({ title: 'deps', prompt: 'p' });
    await harness.until(
      () =>
        store.getSession(manager.id).status === 'waiting_input' &&
        store
          .listSessions({ objectiveId: objective.id })
          .filter((s) => s.role === 'worker')
          .every((s) => ['completed', 'failed', 'canceled'].includes(s.status)) &&
        store.listSessions({ objectiveId: objective.id }).length === 6,
    );
    const byTitle = Object.fromEntries(
      store.listSessions({ objectiveId: objective.id }).map((s) => [s.title, s]),
    );
    expect(byTitle.first!.status).toBe('completed');
    expect(byTitle.second!.status).toBe('completed');
    expect(byTitle.bad!.status).toBe('failed');
    expect(byTitle.bad!.statusReason).toContain('the build is broken');
    expect(byTitle['after-bad']!.status).toBe('canceled');
    expect(byTitle['after-bad']!.statusReason).toContain(byTitle.bad!.id);
    expect(byTitle['after-after']!.status).toBe('canceled');
    // "second" started only after "first" completed.
    const changes = eventsOf(store, 'session-status-change');
    const firstDone = changes.find((e) => e.sessionId === byTitle.first!.id && e.to === 'completed')!;
    const secondStart = changes.find((e) => e.sessionId === byTitle.second!.id && e.to === 'starting')!;
    expect(secondStart.id).toBeGreaterThan(firstDone.id);
  });

  it('keeps a canceled session canceled when its agent finishes late', async () => {
    let finish: () => void = () => {};
    const provider = createFakeProvider({
      script: byRole({
        manager: async (agent) => {
          await agent.callTool('spawn_session', { title: 'stubborn', prompt: 'work' });
          await agent.hang();
        },
        worker: async () => {
          // Ignores cancellation on purpose and completes later.
          await new Promise<void>((resolve) => {
            finish = resolve;
          });
          return 'finished late';
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const { store, orchestrator } = harness;
    const { objective } = await orchestrator.createObjective({ title: 'late', prompt: 'p' });
    const worker = await harness.until(() =>
      store.listSessions({ objectiveId: objective.id, role: 'worker' }).find((s) => s.status === 'running'),
    );
    const canceled = await api(harness, 'POST', `/api/sessions/${worker.id}/cancel`, {});
    expect(canceled.status).toBe(200);
    expect(canceled.body.session.status).toBe('canceled');
    finish();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(store.getSession(worker.id).status).toBe('canceled');
    expect(() => store.updateSessionStatus(worker.id, 'completed', { reason: null })).toThrow(
      /invalid_transition|cannot/i,
    );
    expect(
      eventsOf(store, 'session-status-change').filter(
        (e) => e.sessionId === worker.id && e.to === 'completed',
      ),
    ).toHaveLength(0);
  });
});
