import { createFakeProvider } from '@orcha/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { type Core, startCore } from './core-harness.js';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const request = { id: 'call_1', title: '`rm -rf build`', input: { command: 'rm -rf build' } };

describe('an agent asking permission', () => {
  it('puts the request to the person as a question and acts on the answer, allow or deny', async () => {
    const answers: boolean[] = [];
    const provider = createFakeProvider({
      script: async (agent) => {
        for (let i = 0; i < 2; i++) answers.push(await agent.spec.askPermission!(request, agent.signal));
        return agent.waitForInput('asked twice');
      },
    });
    core = await startCore({ providers: { fake: provider } });
    const { store, orchestrator } = core;
    const { manager } = await orchestrator.createObjective({ title: 'clean', prompt: 'p' });
    const first = await core.until(() => store.listQuestions({ sessionId: manager.id, status: 'open' })[0]);
    expect(first).toMatchObject({
      kind: 'permission',
      prompt: 'fake wants to run `rm -rf build`: {"command":"rm -rf build"}. Allow it?',
      options: ['allow', 'deny'],
    });
    expect(answers).toEqual([]); // the agent waits for the person
    await orchestrator.answerQuestion(first.id, 'allow');
    const second = await core.until(() =>
      store.listQuestions({ sessionId: manager.id, status: 'open' }).find((q) => q.id !== first.id),
    );
    await orchestrator.answerQuestion(second.id, 'no, not that');
    await core.until(() => store.getSession(manager.id).status === 'waiting_input');
    expect(answers).toEqual([true, false]);
  });

  it('withdraws the question when the run ends before the person answers', async () => {
    let outcome: string | null = null;
    const provider = createFakeProvider({
      script: async (agent) => {
        outcome = await agent.spec.askPermission!(request, agent.signal).then(
          (allowed) => `answered ${allowed}`,
          (error: Error) => `refused: ${error.message}`,
        );
        return agent.hang();
      },
    });
    core = await startCore({ providers: { fake: provider } });
    const { store, orchestrator } = core;
    const { objective, manager } = await orchestrator.createObjective({ title: 'clean', prompt: 'p' });
    const question = await core.until(
      () => store.listQuestions({ sessionId: manager.id, status: 'open' })[0],
    );
    await orchestrator.cancelObjective(objective.id);
    await core.until(() => store.getQuestion(question.id).status === 'withdrawn');
    expect(outcome).toBe('refused: the run ended before the person answered');
  });
});
