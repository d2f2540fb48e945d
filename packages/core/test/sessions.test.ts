import { createFakeProvider } from '@orcha/agent';
import { createLocalExecutor } from '@orcha/exec';
import { createFakeForge } from '@orcha/forge';
import { createScratchPreparer } from '@orcha/workspace';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../src/orchestrator.js';
import { type Core, startCore } from './core-harness.js';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const statusOf = (id: string) => core!.store.getSession(id).status;
const said = (id: string, text: string) =>
  core!.store
    .listMessages(id, { after: 0, limit: 500 })
    .some((m) => m.kind === 'assistant' && m.text === text);

describe('loop guards', () => {
  it('pauses a session that burns model calls, asks the person, and resumes it when answered', async () => {
    const provider = createFakeProvider({
      script: async (agent) => {
        if (agent.resumed) return agent.waitForInput('resumed');
        agent.usage({ modelCalls: 5 });
        return agent.hang();
      },
    });
    core = await startCore({
      providers: { fake: provider },
      config: { guards: { maxSameError: 0, maxNoProgressTurns: 0, maxModelCalls: 3 } },
    });
    const { store, orchestrator } = core;
    const { manager } = await orchestrator.createObjective({ title: 'burn', prompt: 'p' });
    await core.until(() => statusOf(manager.id) === 'paused');
    expect(store.getSession(manager.id).statusReason).toMatch(/^loop guard: model-call cap reached/);
    expect(orchestrator.liveRun(manager.id)).toBeNull();
    const question = store.listQuestions({ sessionId: manager.id, status: 'open' })[0]!;
    expect(question.kind).toBe('loop_guard');
    await orchestrator.answerQuestion(question.id, 'resume');
    await core.until(() => statusOf(manager.id) === 'waiting_input');
  });
});

describe('questions', () => {
  it('keeps a worker that asked the person waiting, slot given back, and resumes it with the answer', async () => {
    const provider = createFakeProvider({
      script: async (agent) => {
        if (!agent.spec.systemPrompt?.startsWith('You are a worker')) return agent.waitForInput('managing');
        const session = core!.store.getSession(agent.spec.sessionId);
        core!.store.openQuestion({
          objectiveId: session.objectiveId,
          sessionId: session.id,
          kind: 'ask_user',
          prompt: 'flag or not?',
          options: ['flag', 'no flag'],
        });
        const answer = await agent.waitForInput('asked');
        return `rolled out with ${answer.split(': ').at(-1)}`;
      },
    });
    core = await startCore({ providers: { fake: provider } });
    const { store, orchestrator } = core;
    const { objective, manager } = await orchestrator.createObjective({ title: 'ask', prompt: 'p' });
    const worker = core.worker(objective.id, 'plan the rollout');
    // Both idle: the manager waits for its worker, the worker for the person.
    await core.until(
      () => statusOf(worker.id) === 'waiting_input' && statusOf(manager.id) === 'waiting_input',
    );
    expect(store.getSession(worker.id).statusReason).toBe('waiting for your answer');
    expect(Object.values(store.targetLoad()).reduce((a, b) => a + b, 0)).toBe(0);
    const question = store.listQuestions({ sessionId: worker.id, status: 'open' })[0]!;
    await orchestrator.answerQuestion(question.id, 'flag');
    await core.until(() => statusOf(worker.id) === 'completed');
    expect(store.getSession(worker.id).result).toBe('rolled out with flag');
  });
});

describe('steering', () => {
  it('delivers to a live interactive run', async () => {
    core = await startCore({ providers: { fake: createFakeProvider() } });
    const { orchestrator } = core;
    const { manager } = await orchestrator.createObjective({ title: 'steer', prompt: 'say hello' });
    await core.until(() => statusOf(manager.id) === 'waiting_input');
    expect(await orchestrator.steer(manager.id, 'say again')).toBe('live');
    await core.until(() => said(manager.id, 'again') && statusOf(manager.id) === 'waiting_input');
  });

  it('stops a noninteractive run and resumes its conversation with the message', async () => {
    const provider = createFakeProvider({ interactivity: 'noninteractive' });
    core = await startCore({ providers: { fake: provider } });
    const { store, orchestrator } = core;
    const { manager } = await orchestrator.createObjective({ title: 'hang', prompt: 'hang' });
    await core.until(
      () => statusOf(manager.id) === 'running' && store.getSession(manager.id).providerSessionId,
    );
    expect(await orchestrator.steer(manager.id, 'say more')).toBe('restart');
    await core.until(() => said(manager.id, 'more') && statusOf(manager.id) === 'waiting_input');
    const conversation = provider.conversation(store.getSession(manager.id).providerSessionId!);
    expect(conversation).toHaveLength(2);
    expect(conversation[1]).toBe('say more');
    // Idle, it holds no slot (its process ends by itself); the next message asks for a slot again.
    expect(Object.values(store.targetLoad()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await orchestrator.steer(manager.id, 'say twice')).toBe('queued');
    await core.until(() => said(manager.id, 'twice') && statusOf(manager.id) === 'waiting_input');
  });
});

describe('reconcile', () => {
  it('resumes sessions with a conversation, runs unstarted work again, and leaves idle ones idle', async () => {
    core = await startCore({ providers: { fake: createFakeProvider() } });
    const { store, orchestrator } = core;
    const resumable = (await orchestrator.createObjective({ title: 'a', prompt: 'say a' })).manager;
    const idle = (await orchestrator.createObjective({ title: 'b', prompt: 'say b' })).manager;
    await core.until(
      () => statusOf(resumable.id) === 'waiting_input' && statusOf(idle.id) === 'waiting_input',
    );
    await orchestrator.stop();
    // As a crash leaves them: marked running, no process behind them.
    const orphan = store.createSession({
      objectiveId: store.getSession(resumable.id).objectiveId,
      parentId: resumable.id,
      role: 'worker',
      agent: 'fake',
      title: 'orphan',
      prompt: 'say orphan',
    });
    store.updateSessionStatus(resumable.id, 'queued', { reason: null });
    store.updateSessionStatus(orphan.id, 'starting', { reason: null });
    for (const id of [resumable.id, orphan.id]) {
      if (statusOf(id) === 'queued') store.updateSessionStatus(id, 'starting', { reason: null });
      store.updateSessionStatus(id, 'running', { reason: null });
    }
    const local = createLocalExecutor();
    const restarted = createOrchestrator({
      store,
      providers: { fake: createFakeProvider() },
      executorFor: () => local,
      forge: createFakeForge(),
      preparer: createScratchPreparer(),
      config: { scheduleIntervalMs: 60_000, agentCliRequired: false },
    });
    const counts = await restarted.start();
    try {
      expect(counts).toEqual({
        reattached: 0,
        resumed: 1,
        restarted: 1,
        failed: 0,
        told: 0,
        ended: 0,
        woken: 0,
      });
      expect(statusOf(idle.id)).toBe('waiting_input');
      // The orphan never reached a conversation id: unstarted work, run again from its prompt.
      await core
        .until(
          () =>
            statusOf(orphan.id) === 'completed' &&
            statusOf(resumable.id) === 'waiting_input' &&
            said(resumable.id, `ok: Worker ${orphan.id} "orphan" completed: orphan`),
        )
        .catch((error) => {
          throw new Error(
            `${error}: ${JSON.stringify(store.getSession(resumable.id))} ${JSON.stringify(store.listMessages(resumable.id, { after: 0, limit: 50 }).map((m) => m.text))}`,
          );
        });
    } finally {
      await restarted.stop();
    }
  });
});
