import { join } from 'node:path';
import { createFakeProvider } from '@orcha/agent';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestStore, type Harness, startHarness } from './harness.js';

let harness: Harness | null = null;
let dir: TempDir | null = null;
afterEach(async () => {
  await harness?.close();
  await dir?.remove();
  harness = dir = null;
});

describe('work a crash left holding a slot, on restart', () => {
  it('fails what cannot run again and tells whoever waits: the manager, or the person for a manager', async () => {
    dir = await createTempDir('orcha-unstarted-');
    // What a crash leaves: sessions holding slots with no process, on an agent no longer configured.
    const seed = createTestStore(dir);
    const target = seed.ensureLocalTarget({ workRoot: join(dir.path, 'work'), capacity: 8 });
    const hold = (sessionId: string) => {
      expect(seed.claimTargetSlot(target.id, sessionId).ok).toBe(true);
      seed.updateSession(sessionId, { targetId: target.id });
      seed.updateSessionStatus(sessionId, 'starting');
    };
    const lost = seed.createObjective({ title: 'lost manager', prompt: 'p', agent: 'gone' });
    hold(lost.manager.id);
    const kept = seed.createObjective({ title: 'lost worker', prompt: 'p', agent: 'fake' });
    hold(kept.manager.id);
    seed.updateSession(kept.manager.id, { providerSessionId: 'conversation-1' });
    seed.updateSessionStatus(kept.manager.id, 'running');
    seed.updateSessionStatus(kept.manager.id, 'waiting_input', { reason: 'idle' });
    const worker = seed.createSession({
      objectiveId: kept.objective.id,
      parentId: kept.manager.id,
      role: 'worker',
      agent: 'gone',
      title: 'w',
      prompt: 'work',
    });
    hold(worker.id);
    // An agent's permission question: the run that waited on it died with orcha.
    const permission = seed.openQuestion({
      objectiveId: kept.objective.id,
      sessionId: worker.id,
      kind: 'permission',
      prompt: 'gone wants to run rm. Allow it?',
      options: ['allow', 'deny'],
    });
    seed.close();

    const prompts: string[] = [];
    const fake = createFakeProvider({
      name: 'fake',
      interactivity: 'interactive',
      script: async (agent) => {
        prompts.push(agent.prompt);
        return 'ok';
      },
    });
    harness = await startHarness({ providers: { fake }, dir });
    const { store, orchestrator } = harness;

    // A worker that cannot run again fails, and its manager is told (and runs with the news).
    expect(store.getSession(worker.id)).toMatchObject({
      status: 'failed',
      statusReason: expect.stringContaining('nothing to resume'),
    });
    await harness.until(() => prompts.some((prompt) => prompt.includes(`Worker ${worker.id} "w" failed`)));

    expect(store.getQuestion(permission.id).status).toBe('withdrawn');

    // A manager that cannot run again fails, and the person is asked on its objective.
    expect(store.getSession(lost.manager.id).status).toBe('failed');
    const [question] = store.listQuestions({ status: 'open', objectiveId: lost.objective.id });
    expect(question).toMatchObject({ kind: 'manager_lost', options: ['fake', 'cancel'] });
    expect(store.targetLoad()[target.id] ?? 0).toBeLessThanOrEqual(1); // only a running session holds one

    // The answer names an agent: a new manager takes the objective on.
    await orchestrator.answerQuestion(question!.id, 'fake');
    const managers = await harness.until(() => {
      const rows = store.listSessions({ objectiveId: lost.objective.id, role: 'manager' });
      return rows.length === 2 && rows[1]!.status === 'waiting_input' ? rows : null;
    });
    expect(managers[1]).toMatchObject({ agent: 'fake', title: 'Manager: lost manager' });
    expect(prompts.some((prompt) => prompt.includes("the objective's first manager was lost"))).toBe(true);
  });

  it('resumes a paused session whose question was answered just before the crash, with the guidance', async () => {
    dir = await createTempDir('orcha-answered-');
    // What a crash between the answer and the resume leaves: the answer and its guidance, the session paused.
    const seed = createTestStore(dir);
    seed.ensureLocalTarget({ workRoot: join(dir.path, 'work'), capacity: 8 });
    const { objective, manager } = seed.createObjective({ title: 'guarded', prompt: 'p', agent: 'fake' });
    seed.updateSessionStatus(manager.id, 'paused', { reason: 'loop guard: no progress' });
    const question = seed.openQuestion({
      objectiveId: objective.id,
      sessionId: manager.id,
      kind: 'loop_guard',
      prompt: 'paused: no progress',
      options: ['resume', 'cancel'],
    });
    seed.answerQuestion(question.id, 'try the other file', {
      sessionId: manager.id,
      text: 'try the other file',
    });
    seed.close();

    const prompts: string[] = [];
    const fake = createFakeProvider({
      name: 'fake',
      interactivity: 'interactive',
      script: async (agent) => {
        prompts.push(agent.prompt);
        return 'ok';
      },
    });
    harness = await startHarness({ providers: { fake }, dir });
    const { store } = harness;
    await harness.until(() => store.getSession(manager.id).status === 'waiting_input');
    expect(prompts).toEqual([expect.stringContaining('try the other file')]);
    expect(store.listInput(manager.id)).toEqual([]);
  });
});
