import { createFakeProvider, type FakeAgent } from '@orcha/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { api, type Harness, mcpClient, startHarness } from './harness.js';
import { byRole } from './scripts.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close({ remove: true });
  harness = null;
});

const spawnOne = (prompt: string, agent?: string) => async (manager: FakeAgent) => {
  await manager.callTool('spawn_session', { title: prompt, prompt, ...(agent ? { agent } : {}) });
  await manager.hang();
};

describe('loop guards', () => {
  it('pause a session that burns model calls, open a question, and resume it when answered', async () => {
    let runs = 0;
    const provider = createFakeProvider({
      script: byRole({
        manager: spawnOne('loop'),
        worker: async (agent) => {
          runs++;
          if (runs === 1) {
            for (let call = 1; call <= 50; call++) {
              agent.usage({ inputTokens: 10, outputTokens: 1, modelCalls: 1 });
              await agent.sleep(5);
            }
            return 'should not get here';
          }
          return `resumed with: ${agent.prompt}`;
        },
      }),
    });
    harness = await startHarness({
      providers: { fake: provider },
      config: { guards: { maxSameError: 3, maxNoProgressTurns: 5, maxModelCalls: 10 } },
    });
    const { store, orchestrator } = harness;
    const { objective } = await orchestrator.createObjective({ title: 'guards', prompt: 'p' });
    const question = await harness.until(() =>
      store.listQuestions({ status: 'open', objectiveId: objective.id }).find((q) => q.kind === 'loop_guard'),
    );
    const worker = store.getSession(question.sessionId!);
    expect(worker.status).toBe('paused');
    expect(worker.statusReason).toMatch(/loop guard: model-call cap reached/);
    expect(worker.usage.modelCalls).toBeLessThanOrEqual(11);
    const answered = await api(harness, 'POST', `/api/questions/${question.id}/answer`, {
      answer: 'Stop looping; summarize instead.',
    });
    expect(answered.status).toBe(200);
    await harness.until(() => store.getSession(worker.id).status === 'completed');
    expect(store.getSession(worker.id).result).toContain('Stop looping; summarize instead.');
    expect(runs).toBe(2);
  });
});

describe('usage exhaustion', () => {
  it('falls back to the next agent', async () => {
    const reset = Date.now() + 60_000;
    const claude = createFakeProvider({
      name: 'claude',
      script: byRole({
        manager: spawnOne('task', 'claude'),
        worker: async (agent) => agent.exhaust(reset, 'usage limit reached'),
      }),
    });
    const codex = createFakeProvider({
      name: 'codex',
      interactivity: 'noninteractive',
      script: async () => 'done by codex',
    });
    harness = await startHarness({
      providers: { claude, codex },
      config: { fallbacks: { claude: ['codex'] }, defaultAgent: 'claude' },
    });
    const { store, orchestrator } = harness;
    const { objective } = await orchestrator.createObjective({
      title: 'fallback',
      prompt: 'p',
      agent: 'claude',
    });
    const worker = await harness.until(() =>
      store.listSessions({ objectiveId: objective.id, role: 'worker' }).find((s) => s.status === 'completed'),
    );
    expect(worker.agent).toBe('codex');
    expect(worker.result).toBe('done by codex');
    expect(store.listProviderUsage().find((u) => u.provider === 'claude')?.exhaustedUntil).toBe(reset);
  });

  it('parks the session, asks the person, never retries before the reset, and resumes by itself after it', async () => {
    let starts = 0;
    const resetIn = 1_500;
    let reset = 0;
    const claude = createFakeProvider({
      name: 'claude',
      script: byRole({
        manager: spawnOne('task', 'claude'),
        worker: async (agent) => {
          starts++;
          if (starts === 1) {
            reset = Date.now() + resetIn;
            agent.exhaust(reset, 'You have hit your usage limit');
          }
          return `finished at ${Date.now()}`;
        },
      }),
    });
    harness = await startHarness({
      providers: { claude },
      config: { defaultAgent: 'claude', scheduleIntervalMs: 100 },
    });
    const { store, orchestrator } = harness;
    const { objective } = await orchestrator.createObjective({ title: 'park', prompt: 'p', agent: 'claude' });
    const question = await harness.until(() =>
      store.listQuestions({ objectiveId: objective.id }).find((q) => q.kind === 'usage_exhausted'),
    );
    expect(store.getSession(question.sessionId!).status).toBe('paused');
    const worker = await harness.until(() => {
      const session = store.getSession(question.sessionId!);
      return session.status === 'completed' ? session : null;
    }, 10_000);
    expect(starts).toBe(2);
    expect(Number(worker.result!.split(' ').pop())).toBeGreaterThanOrEqual(reset);
    expect(store.getQuestion(question.id).status).toBe('withdrawn');
  });
});

describe('the MCP endpoint', () => {
  it('scopes tokens to their session and refuses manager tools to workers', async () => {
    const tokens = new Map<string, string>();
    const provider = createFakeProvider({
      script: byRole({
        manager: async (agent) => {
          tokens.set(agent.spec.sessionId, agent.spec.mcp!.token);
          await agent.callTool('spawn_session', { title: 'w', prompt: 'w' });
          await agent.hang();
        },
        worker: async (agent) => {
          tokens.set(agent.spec.sessionId, agent.spec.mcp!.token);
          await agent.hang();
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const { store, orchestrator } = harness;
    const first = await orchestrator.createObjective({ title: 'one', prompt: 'p' });
    const other = await orchestrator.createObjective({ title: 'two', prompt: 'p' });
    const worker = await harness.until(() =>
      store
        .listSessions({ objectiveId: first.objective.id, role: 'worker' })
        .find((s) => s.status === 'running' && tokens.has(s.id)),
    );
    const otherWorker = await harness.until(() =>
      store
        .listSessions({ objectiveId: other.objective.id, role: 'worker' })
        .find((s) => s.status === 'running'),
    );
    const managerToken = tokens.get(first.manager.id)!;
    const workerToken = tokens.get(worker.id)!;

    // A token opens only its own session's endpoint.
    const stolen = await fetch(`${harness.url}/mcp/${worker.id}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${managerToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(stolen.status).toBe(401);
    const anonymous = await fetch(`${harness.url}/mcp/${worker.id}`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    const workerClient = await mcpClient(harness.url, worker.id, workerToken);
    const workerTools = (await workerClient.listTools()).tools.map((tool) => tool.name).sort();
    expect(workerTools).toEqual(['ask_user', 'create_artifact', 'create_note']);
    const refused = await workerClient.callTool({ name: 'spawn_session', arguments: { prompt: 'x' } });
    expect(refused.isError).toBe(true);
    const note = await workerClient.callTool({
      name: 'create_note',
      arguments: { title: 'finding', body: 'it works' },
    });
    expect(note.isError).toBeFalsy();
    expect(store.listNotes({ objectiveId: first.objective.id }).map((n) => n.title)).toEqual(['finding']);
    await workerClient.close();

    const managerClient = await mcpClient(harness.url, first.manager.id, managerToken);
    const bad = await managerClient.callTool({
      name: 'spawn_session',
      arguments: { prompt: '', agent: '../../bin/sh' },
    });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toMatch(/invalid_argument.*prompt: .*agent: /);
    const before = store.listSessions({ objectiveId: first.objective.id }).length;
    const foreign = await managerClient.callTool({
      name: 'get_session',
      arguments: { sessionId: otherWorker.id },
    });
    expect(foreign.isError).toBe(true);
    expect(JSON.stringify(foreign.content)).toContain('not_found');
    const cancelForeign = await managerClient.callTool({
      name: 'cancel_session',
      arguments: { sessionId: otherWorker.id },
    });
    expect(cancelForeign.isError).toBe(true);
    expect(store.getSession(otherWorker.id).status).toBe('running');
    expect(store.listSessions({ objectiveId: first.objective.id })).toHaveLength(before);
    await managerClient.close();
  });
});

describe('restart reconciliation', () => {
  it('resumes headless sessions that have a conversation id and starts again those that have none', async () => {
    const { createTempDir } = await import('@orcha/testkit');
    const dir = await createTempDir('orcha-reconcile-');
    const prompts: string[] = [];
    const provider = createFakeProvider({
      script: async (agent) => {
        prompts.push(`${agent.resumed ? 'resumed' : 'fresh'}: ${agent.prompt}`);
        await agent.hang();
      },
    });
    // A first run leaves two sessions "running", then dies without a word.
    const first = await startHarness({ providers: { fake: provider }, dir });
    const a = await first.orchestrator.createObjective({ title: 'with id', prompt: 'p' });
    const b = await first.orchestrator.createObjective({ title: 'without id', prompt: 'p' });
    await first.until(
      () =>
        first.store.getSession(a.manager.id).providerSessionId &&
        first.store.getSession(b.manager.id).status === 'running',
    );
    await first.close(); // a graceful stop queues headless runs to resume…
    // …so make the database look like a crash: both running, one without a conversation id.
    const { createStore } = await import('@orcha/store');
    const { createIdGenerator } = await import('@orcha/model');
    const { join } = await import('node:path');
    const raw = createStore({
      path: join(dir.path, 'orcha.db'),
      clock: Date.now,
      ids: createIdGenerator(Date.now, () => 1),
    });
    for (const id of [a.manager.id, b.manager.id]) {
      if (raw.getSession(id).status === 'queued') {
        raw.updateSessionStatus(id, 'starting', { reason: null });
        raw.updateSessionStatus(id, 'running', { reason: null });
      }
    }
    raw.updateSession(b.manager.id, { providerSessionId: null });
    raw.close();

    prompts.length = 0;
    harness = await startHarness({ providers: { fake: provider }, dir });
    const { store } = harness;
    // Without a conversation id it never really started: unstarted work runs again from its prompt.
    await harness.until(
      () =>
        store.getSession(a.manager.id).status === 'running' &&
        store.getSession(b.manager.id).status === 'running' &&
        prompts.length === 2,
    );
    expect(prompts.sort()).toEqual([
      expect.stringMatching(/^fresh: without id\n\np/),
      expect.stringMatching(/^resumed: orcha restarted your session/),
    ]);
  });
});
