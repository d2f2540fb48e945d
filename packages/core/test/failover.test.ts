import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeProvider, type FakeAgent, type FakeScript } from '@orcha/agent';
import type { OrchaEvent } from '@orcha/model';
import { afterEach, describe, expect, it } from 'vitest';
import { type Core, manualClock, startCore } from './core-harness.js';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const isManager = (agent: FakeAgent) => agent.spec.systemPrompt?.startsWith('You are the manager') ?? false;

/** Managers idle (answering each message); workers run `worker`. */
const withWorker =
  (worker: FakeScript): FakeScript =>
  async (agent) => {
    if (!isManager(agent)) return worker(agent);
    for (;;) await agent.waitForInput('idle');
  };

/** A worker's first half on its first agent: real git in its directory, a file left uncommitted, then `end`. */
async function halfDone(agent: FakeAgent, end: () => never | Promise<never>): Promise<never> {
  await agent.run('git', ['init', '--quiet']);
  await agent.writeFile('notes.md', 'step one done\n');
  agent.say('Step one is done: notes.md holds it.');
  return end();
}

/** The second agent: finishes a worker's work in the same directory, and keeps the prompts workers got. */
const finisher = (prompts: string[]) =>
  createFakeProvider({
    name: 'codex',
    interactivity: 'noninteractive',
    script: async (agent) => {
      if (isManager(agent)) return 'noted';
      prompts.push(agent.prompt);
      await agent.writeFile('notes.md', 'step one done\nstep two done\n');
      return 'finished by codex';
    },
  });

/** A worker asking for claude, whatever agent its manager runs on by now. */
function claudeWorker(objectiveId: string, prompt: string) {
  const { store, orchestrator } = core!;
  const manager = store.listSessions({ objectiveId, role: 'manager' })[0]!;
  const session = store.createSession({
    objectiveId,
    parentId: manager.id,
    role: 'worker',
    agent: 'claude',
    title: prompt,
    prompt,
  });
  void orchestrator.tick();
  return session;
}

const messages = (id: string) => core!.store.listMessages(id, { after: 0, limit: 1_000 });

describe('failover', () => {
  it('continues a worker mid-task on the next agent of its chain, in the same workspace, with a handoff', async () => {
    const claudeStarts: string[] = [];
    const claude = createFakeProvider({
      name: 'claude',
      script: withWorker(async (agent) => {
        claudeStarts.push(agent.spec.sessionId);
        return halfDone(agent, () => agent.exhaust(Date.now() + 3_600_000, "You've hit your limit"));
      }),
    });
    const prompts: string[] = [];
    core = await startCore({
      providers: { claude, codex: finisher(prompts) },
      config: { fallbacks: { claude: ['codex'] }, defaultAgent: 'claude' },
    });
    const { store, orchestrator } = core;
    const feed: OrchaEvent[] = [];
    store.subscribe((events) => feed.push(...events));
    const { objective, manager } = await orchestrator.createObjective({
      title: 'notes',
      prompt: 'p',
      agent: 'claude',
    });
    await core.until(() => store.getSession(manager.id).status === 'waiting_input');
    const worker = core.worker(objective.id, 'Write notes.md in two steps.', { title: 'two steps' });
    const done = await core.until(() => {
      const session = store.getSession(worker.id);
      return session.status === 'completed' ? session : null;
    });

    expect(done).toMatchObject({ agent: 'codex', result: 'finished by codex' });
    expect(claudeStarts).toEqual([worker.id]); // never retried on the exhausted account
    expect(
      store.listProviderUsage().find((usage) => usage.provider === 'claude')?.exhaustedUntil,
    ).toBeTruthy();
    // The same directory: the first agent's uncommitted file, finished by the second.
    const cwd = store.getWorkspace(done.workspaceId!).path;
    expect(readFileSync(join(cwd, 'notes.md'), 'utf8')).toBe('step one done\nstep two done\n');
    expect(existsSync(join(cwd, '.git'))).toBe(true);
    // The new agent started from a handoff: the task, the switch, git's view of the workspace, the last words.
    const [handoff] = prompts;
    expect(handoff).toContain('running on claude');
    expect(handoff).toContain('claude is out of usage until');
    expect(handoff).toContain('Write notes.md in two steps.');
    expect(handoff).toContain('?? notes.md');
    expect(handoff).toContain('[agent] Step one is done: notes.md holds it.');
    expect(handoff!.length / 3).toBeLessThanOrEqual(4_000);
    // The switch and the handoff are in the transcript, and the switch is in the feed.
    const transcript = messages(worker.id);
    const switchAt = transcript.findIndex((m) => m.data?.type === 'agent-switch');
    expect(transcript[switchAt]).toMatchObject({ kind: 'system', data: { from: 'claude', to: 'codex' } });
    expect(transcript.find((m) => m.data?.type === 'handoff')?.text).toBe(handoff);
    expect(feed).toContainEqual(
      expect.objectContaining({
        type: 'session-agent-switch',
        sessionId: worker.id,
        from: 'claude',
        to: 'codex',
      }),
    );
    // The manager was told which agent carries on. Woken on the spent account, it moves on too: its idle
    // claude process never gets the message.
    const managerSwitch = await core.until(() =>
      messages(manager.id).find((m) => m.data?.type === 'agent-switch'),
    );
    expect(managerSwitch.data).toMatchObject({ from: 'claude', to: 'codex' });
    const managerConversation = claude.conversation(String(managerSwitch.data!.fromConversationId));
    expect(managerConversation.length).toBeGreaterThan(0);
    expect(managerConversation.some((text) => text.includes('continues on codex'))).toBe(false);
    await core.until(() =>
      messages(manager.id).some(
        (m) => m.kind === 'user' && m.text.includes(`${worker.id} "two steps" continues on codex`),
      ),
    );
  });

  it('skips exhausted agents of the chain, and new sessions go back to the original once it resets', async () => {
    const clock = manualClock(Date.now());
    const starts: string[] = [];
    const claude = createFakeProvider({
      name: 'claude',
      script: withWorker(async (agent) => {
        starts.push(`claude:${agent.prompt}`);
        if (agent.prompt.startsWith('first')) return halfDone(agent, () => agent.exhaust(clock() + 60_000));
        return 'claude again';
      }),
    });
    const spare = createFakeProvider({ name: 'claude-personal', script: async () => 'never' });
    const prompts: string[] = [];
    core = await startCore({
      providers: { claude, 'claude-personal': spare, codex: finisher(prompts) },
      config: { fallbacks: { claude: ['claude-personal', 'codex'] }, defaultAgent: 'claude' },
      clock,
    });
    const { store, orchestrator } = core;
    store.setProviderExhausted('claude-personal', clock() + 3_600_000);
    const { objective, manager } = await orchestrator.createObjective({
      title: 't',
      prompt: 'p',
      agent: 'claude',
    });
    await core.until(() => store.getSession(manager.id).status === 'waiting_input');
    const first = claudeWorker(objective.id, 'first task');
    await core.until(() => store.getSession(first.id).status === 'completed');
    expect(store.getSession(first.id).agent).toBe('codex');
    expect(prompts[0]).toContain('first task');

    // While claude is exhausted a new session starts on the fallback without a handoff (it did nothing yet).
    const second = claudeWorker(objective.id, 'second task');
    await core.until(() => store.getSession(second.id).status === 'completed');
    expect(store.getSession(second.id).agent).toBe('codex');
    expect(prompts[1]).toBe('second task');

    clock.advance(61_000);
    const third = claudeWorker(objective.id, 'third task');
    await core.until(() => store.getSession(third.id).status === 'completed');
    expect(store.getSession(third.id)).toMatchObject({ agent: 'claude', result: 'claude again' });
    expect(starts.filter((start) => start.startsWith('claude:'))).toHaveLength(2);
  });

  it('treats a turn that fails on rate limits as exhaustion for a while, and moves on', async () => {
    const clock = manualClock(Date.now());
    const claude = createFakeProvider({
      name: 'claude',
      script: withWorker((agent) =>
        halfDone(agent, () => agent.fail('API Error: Request rejected (429)', 'rate_limited')),
      ),
    });
    const prompts: string[] = [];
    core = await startCore({
      providers: { claude, codex: finisher(prompts) },
      config: { fallbacks: { claude: ['codex'] }, defaultAgent: 'claude', rateLimitCooldownMs: 120_000 },
      clock,
    });
    const { store, orchestrator } = core;
    const { objective, manager } = await orchestrator.createObjective({
      title: 't',
      prompt: 'p',
      agent: 'claude',
    });
    await core.until(() => store.getSession(manager.id).status === 'waiting_input');
    const worker = core.worker(objective.id, 'rate limited task');
    await core.until(() => store.getSession(worker.id).status === 'completed');
    expect(store.getSession(worker.id).agent).toBe('codex');
    expect(prompts[0]).toContain('[error] rate_limited: API Error: Request rejected (429)');
    expect(store.listProviderUsage().find((usage) => usage.provider === 'claude')?.exhaustedUntil).toBe(
      clock() + 120_000,
    );
  });

  it('lets the person move a running session to another agent, and refuses what cannot be', async () => {
    const claude = createFakeProvider({
      name: 'claude',
      script: withWorker((agent) => halfDone(agent, () => agent.hang())),
    });
    const prompts: string[] = [];
    core = await startCore({
      providers: { claude, codex: finisher(prompts), gemini: createFakeProvider({ name: 'gemini' }) },
      config: { defaultAgent: 'claude' },
    });
    const { store, orchestrator } = core;
    const { objective, manager } = await orchestrator.createObjective({
      title: 't',
      prompt: 'p',
      agent: 'claude',
    });
    await core.until(() => store.getSession(manager.id).status === 'waiting_input');
    const worker = core.worker(objective.id, 'a long task');
    await core.until(() =>
      messages(worker.id).some((m) => m.text === 'Step one is done: notes.md holds it.'),
    );
    const refused = async (agent: string, code: string) =>
      expect(orchestrator.continueOn(worker.id, agent)).rejects.toMatchObject({ code });
    await refused('nope', 'invalid_argument');
    await refused('claude', 'invalid_argument');
    store.setProviderExhausted('gemini', Date.now() + 60_000);
    await refused('gemini', 'exhausted');
    expect(store.getSession(worker.id)).toMatchObject({ agent: 'claude', status: 'running' });

    const moved = await orchestrator.continueOn(worker.id, 'codex');
    expect(moved).toMatchObject({ agent: 'codex', status: 'queued' });
    const done = await core.until(() => {
      const session = store.getSession(worker.id);
      return session.status === 'completed' ? session : null;
    });
    expect(done.result).toBe('finished by codex');
    expect(prompts[0]).toContain('switched by the person');
    expect(prompts[0]).toContain('?? notes.md');
    await refused('claude', 'conflict');
  });

  it('parks a session whose whole chain is spent, and continues it on the first agent that resets', async () => {
    const clock = manualClock(Date.now());
    const claude = createFakeProvider({
      name: 'claude',
      script: withWorker((agent) => halfDone(agent, () => agent.exhaust(clock() + 3_600_000))),
    });
    const prompts: string[] = [];
    core = await startCore({
      providers: { claude, codex: finisher(prompts) },
      config: { fallbacks: { claude: ['codex'] }, defaultAgent: 'claude' },
      clock,
    });
    const { store, orchestrator } = core;
    store.setProviderExhausted('codex', clock() + 30_000);
    const { objective, manager } = await orchestrator.createObjective({
      title: 't',
      prompt: 'p',
      agent: 'claude',
    });
    await core.until(() => store.getSession(manager.id).status === 'waiting_input');
    const worker = claudeWorker(objective.id, 'parked task');
    const question = await core.until(() =>
      store.listQuestions({ sessionId: worker.id, status: 'open' }).find((q) => q.kind === 'usage_exhausted'),
    );
    expect(store.getSession(worker.id)).toMatchObject({ status: 'paused', agent: 'claude' });
    await orchestrator.tick();
    expect(prompts).toEqual([]); // neither account is tried before it resets

    clock.advance(31_000);
    await orchestrator.tick();
    await core.until(() => store.getSession(worker.id).status === 'completed');
    expect(store.getSession(worker.id).agent).toBe('codex');
    expect(store.getQuestion(question.id).status).toBe('withdrawn');
    expect(prompts[0]).toContain('parked task');
    expect(prompts[0]).toContain('?? notes.md');
  });
});
