import { createFakeProvider, type FakeAgent } from '@orcha/agent';
import { createNotifier } from '@orcha/core';
import { afterEach, describe, expect, it } from 'vitest';
import { api, eventsOf, type Harness, startHarness } from './harness.js';
import { byRole } from './scripts.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close({ remove: true });
  harness = null;
});

/** A worker that makes model calls until it is stopped: one call per usage report. */
async function burnCalls(agent: FakeAgent, calls: number[]): Promise<string> {
  for (let call = 1; call <= 200; call++) {
    agent.usage({ inputTokens: 100, outputTokens: 10, costUsd: 0.01, modelCalls: 1 });
    calls.push(Date.now());
    await agent.sleep(2);
  }
  return 'never stopped';
}

describe('budgets that hold', () => {
  it('tells the person at 80%, pauses before the next model call at 100%, and resumes on "add N"', async () => {
    const calls: number[] = [];
    let workerRuns = 0;
    const provider = createFakeProvider({
      script: byRole({
        manager: async (manager) => {
          await manager.callTool('spawn_session', { title: 'burner', prompt: 'burn' });
          return manager.hang();
        },
        worker: async (agent) => {
          workerRuns++;
          if (workerRuns === 1) return burnCalls(agent, calls);
          agent.usage({ modelCalls: 1, costUsd: 0.01 });
          return 'finished within the raised budget';
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const { store } = harness;
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'capped',
      prompt: 'p',
      budget: { modelCalls: 10 },
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    expect(store.getObjective(objectiveId).budget).toEqual({ modelCalls: 10 });
    const question = await harness.until(() =>
      store.listQuestions({ status: 'open', objectiveId }).find((q) => q.kind === 'budget'),
    );
    const worker = store.getSession(question.sessionId!);
    await harness.until(() => store.getSession(worker.id).status === 'paused');
    expect(store.getSession(worker.id).statusReason).toMatch(/^budget: the objective's budget is spent/);
    // No model call started after the cap: the run was stopped at the report that reached it.
    expect(store.getSession(worker.id).usage.modelCalls).toBe(10);
    expect(calls).toHaveLength(10);
    expect(question.options).toEqual(['add 5', 'stop']);
    const levels = eventsOf(store, 'budget-change').map((event) => [
      event.sessionId,
      event.from,
      event.level,
    ]);
    expect(levels).toEqual([
      [null, 0, 80],
      [null, 80, 100],
    ]);
    // The notifier derives what the person is told from the events: the 80% mark, then the question.
    const notifier = createNotifier({ store, sinks: [] });
    await notifier.flush();
    await notifier.stop();
    const notified = store.listNotifications({}).map((notification) => notification.kind);
    expect(notified).toEqual(expect.arrayContaining(['budget.80', 'question.budget']));

    const answered = await api(harness, 'POST', `/api/questions/${question.id}/answer`, { answer: 'add 5' });
    expect(answered.status).toBe(200);
    await harness.until(() => store.getSession(worker.id).status === 'completed');
    expect(store.getSession(worker.id).result).toBe('finished within the raised budget');
    expect(store.getObjective(objectiveId).budget).toEqual({ modelCalls: 15 });
    // Usage adds up across the session's runs.
    expect(store.getSession(worker.id).usage.modelCalls).toBe(11);
  });

  it("refuses the manager a worker budget above the objective's remaining, with a clear tool error", async () => {
    const refusals: string[] = [];
    const provider = createFakeProvider({
      script: byRole({
        manager: async (manager) => {
          manager.usage({ costUsd: 0.4, modelCalls: 1 });
          refusals.push(
            String(
              await manager
                .callTool('spawn_session', { title: 'big', prompt: 'p', budget: { usd: 1 } })
                .catch((error: unknown) => (error as Error).message),
            ),
          );
          await manager.callTool('spawn_session', { title: 'small', prompt: 'p', budget: { usd: 0.5 } });
          return manager.hang();
        },
        worker: async () => 'done',
      }),
    });
    harness = await startHarness({
      providers: { fake: provider },
      config: { budgets: { objective: { usd: 1 }, session: { modelCalls: 50 } } },
    });
    const { store, orchestrator } = harness;
    const { objective, manager } = await orchestrator.createObjective({
      title: 'default budget',
      prompt: 'p',
    });
    expect(objective.budget).toEqual({ usd: 1 });
    expect(manager.budget).toEqual({ modelCalls: 50 });
    const small = await harness.until(() =>
      store.listSessions({ objectiveId: objective.id, role: 'worker' }).find((s) => s.title === 'small'),
    );
    expect(small.budget).toEqual({ usd: 0.5 });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/budget\.usd 1 is more than the objective has left \(0\.6 USD\)/);
    expect(store.listSessions({ objectiveId: objective.id }).some((s) => s.title === 'big')).toBe(false);
  });

  it('stops every running session of an objective whose budget is spent, and "stop" cancels them', async () => {
    const provider = createFakeProvider({
      script: byRole({
        manager: async (manager) => {
          await manager.callTool('spawn_session', { title: 'slow', prompt: 'p' });
          await manager.callTool('spawn_session', { title: 'fast', prompt: 'p' });
          return manager.hang();
        },
        worker: async (agent) => {
          for (;;) {
            agent.usage({ inputTokens: 1_000, modelCalls: 1 });
            await agent.sleep(20);
          }
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const { store } = harness;
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'shared cap',
      prompt: 'p',
      budget: { tokens: 20_000 },
    });
    const objectiveId = created.body.objective.id as string;
    const question = await harness.until(() =>
      store.listQuestions({ status: 'open', objectiveId }).find((q) => q.kind === 'budget'),
    );
    const workers = () => store.listSessions({ objectiveId, role: 'worker' });
    await harness.until(() => workers().length === 2 && workers().every((w) => w.status === 'paused'));
    expect(store.listQuestions({ objectiveId }).filter((q) => q.kind === 'budget')).toHaveLength(1);
    await api(harness, 'POST', `/api/questions/${question.id}/answer`, { answer: 'stop' });
    await harness.until(() => workers().every((w) => w.status === 'canceled'));
  });
});
