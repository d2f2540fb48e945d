import { createFakeProvider } from '@orcha/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { type Core, manualClock, startCore } from './core-harness.js';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const statusOf = (id: string) => core!.store.getSession(id).status;

describe('scheduler', () => {
  it('gives an idle session’s slot to waiting work, so more objectives than slots never deadlock', async () => {
    core = await startCore({ providers: { fake: createFakeProvider() }, config: { maxConcurrent: 1 } });
    const { store, orchestrator } = core;
    const managers: string[] = [];
    for (const prompt of ['say one', 'say two', 'say three'])
      managers.push((await orchestrator.createObjective({ title: prompt, prompt })).manager.id);
    await core.until(() => managers.every((id) => statusOf(id) === 'waiting_input'));
    expect(Object.values(store.targetLoad()).reduce((a, b) => a + b, 0)).toBe(0);
    // Idle processes stay within the cap: the others were suspended for the slot.
    expect(managers.filter((id) => orchestrator.liveRun(id)).length).toBeLessThanOrEqual(1);
    // A message resumes a suspended one on its conversation.
    const first = managers[0]!;
    expect(orchestrator.liveRun(first)).toBeNull();
    await orchestrator.steer(first, 'say again');
    await core.until(
      () =>
        statusOf(first) === 'waiting_input' &&
        store
          .listMessages(first, { after: 0, limit: 100 })
          .some((m) => m.kind === 'assistant' && m.text === 'again'),
    );
  });

  it('runs workers of started objectives before new managers, and ages so nothing starves', async () => {
    const clock = manualClock();
    core = await startCore({
      providers: { fake: createFakeProvider() },
      config: { maxConcurrent: 1 },
      clock,
    });
    const { store, orchestrator } = core;
    const a = await orchestrator.createObjective({ title: 'a', prompt: 'say a' });
    await core.until(() => statusOf(a.manager.id) === 'waiting_input');
    const blocker = core.worker(a.objective.id, 'hang');
    await core.until(() => statusOf(blocker.id) === 'running');
    clock.advance(1_000);
    const b = await orchestrator.createObjective({ title: 'b', prompt: 'say b' });
    clock.advance(1_000);
    const late = core.worker(a.objective.id, 'say late');
    await orchestrator.tick();
    expect(store.getSession(late.id).statusReason).toBe('waiting for a slot: 0 ahead of it');
    expect(store.getSession(b.manager.id).statusReason).toBe('waiting for a slot: 1 ahead of it');
    await orchestrator.cancelSession(blocker.id);
    await core.until(() => statusOf(late.id) === 'completed');
    expect(statusOf(b.manager.id)).not.toBe('waiting_input'); // the worker went first
    await core.until(() => statusOf(b.manager.id) === 'waiting_input');

    // Aging: a manager that waited 40 s longer than a fresh worker goes first.
    const blocker2 = core.worker(a.objective.id, 'hang');
    await core.until(() => statusOf(blocker2.id) === 'running');
    const c = await orchestrator.createObjective({ title: 'c', prompt: 'say c' });
    clock.advance(40_000);
    const fresh = core.worker(a.objective.id, 'say fresh');
    await orchestrator.tick();
    expect(store.getSession(c.manager.id).statusReason).toBe('waiting for a slot: 0 ahead of it');
    await orchestrator.cancelSession(blocker2.id);
    await core.until(() => statusOf(c.manager.id) === 'waiting_input');
    expect(['queued', 'waiting_capacity', 'starting', 'running', 'completed']).toContain(statusOf(fresh.id));
    await core.until(() => statusOf(fresh.id) === 'completed');
  });

  it('runs dependents in order and cancels those of a failed dependency', async () => {
    core = await startCore({ providers: { fake: createFakeProvider() } });
    const { store, orchestrator } = core;
    const { objective } = await orchestrator.createObjective({ title: 'deps', prompt: 'say plan' });
    const first = core.worker(objective.id, 'say first');
    const second = core.worker(objective.id, 'say second', { dependsOn: [first.id] });
    const bad = core.worker(objective.id, 'crash');
    const after = core.worker(objective.id, 'say after', { dependsOn: [bad.id] });
    await core.until(() =>
      [first, second, bad, after].every((s) => ['completed', 'failed', 'canceled'].includes(statusOf(s.id))),
    );
    expect([first, second, bad, after].map((s) => statusOf(s.id))).toEqual([
      'completed',
      'completed',
      'failed',
      'canceled',
    ]);
    expect(store.getSession(after.id).statusReason).toBe(`dependency ${bad.id} failed`);
    expect(store.getSession(second.id).startedAt!).toBeGreaterThanOrEqual(
      store.getSession(first.id).endedAt!,
    );
  });

  it('parks a session whose agent is out of usage, asks once, and resumes it after the reset', async () => {
    const clock = manualClock();
    const provider = createFakeProvider({
      script: async (agent) => {
        if (!agent.resumed) agent.exhaust(clock() + 60_000, 'out of tokens');
        agent.say('back');
        return agent.waitForInput('back');
      },
    });
    core = await startCore({ providers: { fake: provider }, clock });
    const { store, orchestrator } = core;
    const { manager } = await orchestrator.createObjective({ title: 'usage', prompt: 'p' });
    await core.until(() => statusOf(manager.id) === 'paused');
    const questions = store.listQuestions({ sessionId: manager.id, status: 'open' });
    expect(questions.map((q) => q.kind)).toEqual(['usage_exhausted']);
    await orchestrator.tick();
    expect(statusOf(manager.id)).toBe('paused'); // never retried before the reset
    clock.advance(61_000);
    await orchestrator.tick();
    await core.until(() => statusOf(manager.id) === 'waiting_input');
    expect(store.listQuestions({ sessionId: manager.id, status: 'open' })).toEqual([]);
  });

  it('lets one session at a time update a pull request branch', async () => {
    core = await startCore({ providers: { fake: createFakeProvider() } });
    const { store, orchestrator } = core;
    const { objective, manager } = await orchestrator.createObjective({
      title: 'pr',
      prompt: 'say pr',
      repo: 'acme/app',
      baseBranch: 'main',
    });
    const pr = store.createPullRequest({
      objectiveId: objective.id,
      repo: 'acme/app',
      number: 7,
      url: 'https://example.invalid/acme/app/pull/7',
      title: 'a change',
      branch: 'orcha/a-change',
      baseBranch: 'main',
      headSha: 'abc123',
    });
    const followup = (prompt: string) =>
      store.createSession({
        objectiveId: objective.id,
        parentId: manager.id,
        role: 'worker',
        agent: 'fake',
        title: prompt,
        prompt,
        pullRequestId: pr.id,
        workspaceKind: 'pr_branch',
      });
    const first = followup('hang');
    await orchestrator.tick();
    await core.until(() => statusOf(first.id) === 'running');
    const second = followup('say second');
    await orchestrator.tick();
    expect(statusOf(second.id)).toBe('queued');
    expect(store.getSession(second.id).statusReason).toBe(
      `waiting for the pull request branch: ${first.id} is updating it`,
    );
    await orchestrator.cancelSession(first.id);
    await core.until(() => statusOf(second.id) === 'completed');
  });
});
