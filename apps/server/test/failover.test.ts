import { createFakeProvider } from '@orcha/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './harness.js';
import { byRole } from './scripts.js';
import { openSse } from './sse-reader.js';

// "Continue on…" over HTTP: the person moves a running worker to another agent; bad requests change nothing.
let harness: Harness;
beforeAll(async () => {
  const claude = createFakeProvider({
    name: 'claude',
    script: byRole({
      manager: async (agent) => {
        await agent.callTool('spawn_session', { title: 'long', prompt: 'a long task', agent: 'claude' });
        for (;;) await agent.waitForInput('idle');
      },
      worker: async (agent) => {
        agent.say('halfway there');
        return agent.hang();
      },
    }),
  });
  const codex = createFakeProvider({
    name: 'codex',
    interactivity: 'noninteractive',
    script: async (agent) => (agent.prompt.includes('halfway there') ? 'finished from the handoff' : 'noted'),
  });
  const gemini = createFakeProvider({ name: 'gemini' });
  harness = await startHarness({ providers: { claude, codex, gemini }, config: { defaultAgent: 'claude' } });
});
afterAll(() => harness.close({ remove: true }));

describe('POST /api/sessions/:id/continue-on', () => {
  it('moves a running worker to another agent, tells the feed, and refuses what cannot be', async () => {
    const { store, orchestrator } = harness;
    const { objective } = await orchestrator.createObjective({
      title: 'switch',
      prompt: 'p',
      agent: 'claude',
    });
    const worker = await harness.until(() =>
      store
        .listSessions({ objectiveId: objective.id, role: 'worker' })
        .find((s) => s.status === 'running' && s.lastActivity === 'halfway there'),
    );
    const path = `/api/sessions/${worker.id}/continue-on`;
    const state = () =>
      JSON.stringify([store.getSession(worker.id).agent, store.getSession(worker.id).status]);
    const refused = async (body: unknown, status: number, code: string, url = path) => {
      const before = state();
      const response = await api(harness, 'POST', url, body);
      expect(response).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
      expect(state()).toBe(before);
      return response.body.error.message as string;
    };
    await refused('{not json', 400, 'invalid_argument');
    await refused({}, 400, 'invalid_argument');
    await refused({ agent: 'codex', extra: 1 }, 400, 'invalid_argument');
    await refused({ agent: '../../bin/sh' }, 400, 'invalid_argument');
    expect(await refused({ agent: 'nope' }, 400, 'invalid_argument')).toMatch(/no agent named nope/);
    await refused({ agent: 'claude' }, 400, 'invalid_argument');
    await refused(
      { agent: 'codex' },
      404,
      'not_found',
      '/api/sessions/ses_00000000000000000000000000/continue-on',
    );
    store.setProviderExhausted('gemini', Date.now() + 60_000);
    expect(await refused({ agent: 'gemini' }, 429, 'exhausted')).toMatch(/gemini is out of usage until/);

    const feed = await openSse(`${harness.url}/api/events?after=${store.latestEventId()}`);
    const moved = await api(harness, 'POST', path, { agent: 'codex' });
    expect(moved.status).toBe(200);
    expect(moved.body.session).toMatchObject({ id: worker.id, agent: 'codex', status: 'queued' });
    await feed.until((messages) =>
      messages.some((m) => m.event === 'session-agent-switch' && m.data.includes(worker.id)),
    );
    await feed.close();
    const done = await harness.until(() => {
      const session = store.getSession(worker.id);
      return session.status === 'completed' ? session : null;
    });
    expect(done).toMatchObject({ agent: 'codex', result: 'finished from the handoff' });
    await refused({ agent: 'claude' }, 409, 'conflict');
  });
});
