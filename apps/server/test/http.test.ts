import { createFakeProvider } from '@orcha/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './harness.js';
import { openSse } from './sse-reader.js';

let harness: Harness;
beforeAll(async () => {
  // Managers answer and then wait, so sessions stay alive and steerable.
  const provider = createFakeProvider({
    script: async (agent) => {
      agent.say(`got: ${agent.prompt}`);
      for (;;) agent.say(`steered: ${await agent.waitForInput()}`);
    },
  });
  harness = await startHarness({ providers: { fake: provider } });
});
afterAll(() => harness.close({ remove: true }));

/**
 * What a failed request could have changed (agents keep writing their transcripts meanwhile, and the
 * heartbeat keeps refreshing each target's health).
 */
const state = () => {
  const { store } = harness;
  return JSON.stringify([
    store.listObjectives(),
    store.listSessions({}).map((s) => s.id),
    store.listTargets().map(({ health: _health, ...target }) => target),
    store.listQuestions({}),
  ]);
};

/** Every failed request must leave the store as it was. */
async function expectError(
  request: Promise<{ status: number; body: any }>,
  status: number,
  code: string,
): Promise<void> {
  const before = state();
  const response = await request;
  expect(response.status).toBe(status);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(state()).toEqual(before);
}

describe('REST', () => {
  it('accepts the seed curl line verbatim: a JSON body without Content-Type', async () => {
    const response = await fetch(`${harness.url}/api/objectives`, {
      method: 'POST',
      body: '{"title":"Port subsystem to Rust","prompt":"...","agent":"fake"}',
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      objective: { title: string };
      manager: { role: string; status: string };
    };
    expect(body.objective.title).toBe('Port subsystem to Rust');
    expect(body.manager.role).toBe('manager');
  });

  it('answers bad input with a clear error and changes nothing', async () => {
    await expectError(api(harness, 'POST', '/api/objectives', '{not json'), 400, 'invalid_argument');
    await expectError(
      api(harness, 'POST', '/api/objectives', { prompt: 'no title' }),
      400,
      'invalid_argument',
    );
    await expectError(
      api(harness, 'POST', '/api/objectives', { title: 't', repo: 'https://x/$(rm -rf /)' }),
      400,
      'invalid_argument',
    );
    await expectError(
      api(harness, 'POST', '/api/objectives', { title: 't', surprise: 1 }),
      400,
      'invalid_argument',
    );
    await expectError(
      api(harness, 'POST', '/api/objectives', { title: 'x'.repeat(2_000_000) }),
      413,
      'payload_too_large',
    );
    await expectError(api(harness, 'GET', '/api/sessions/ses_nope'), 404, 'not_found');
    await expectError(
      api(harness, 'POST', '/api/sessions/ses_nope/messages', { text: 'hi' }),
      404,
      'not_found',
    );
    await expectError(
      api(harness, 'POST', '/api/questions/qst_nope/answer', { answer: 'yes' }),
      404,
      'not_found',
    );
    await expectError(api(harness, 'GET', '/api/sessions?status=bogus'), 400, 'invalid_argument');
    await expectError(
      api(harness, 'POST', '/api/targets', { name: 'Bad Name!', kind: 'ssh' }),
      400,
      'invalid_argument',
    );
    await expectError(api(harness, 'GET', '/api/no-such-thing'), 404, 'not_found');
  });

  it('refuses state changes from another origin', async () => {
    await expectError(
      api(harness, 'POST', '/api/objectives', { title: 'csrf' }, { origin: 'https://evil.example' }),
      403,
      'forbidden',
    );
  });

  it('steers a live session and refuses to steer or cancel into an invalid state', async () => {
    const { objective, manager } = await harness.orchestrator.createObjective({
      title: 'steer me',
      prompt: 'hello',
    });
    await harness.until(() => harness.store.getSession(manager.id).status === 'running');
    const detail = await api(harness, 'GET', `/api/sessions/${manager.id}`);
    expect(detail.body.steering).toBe('live');
    const steered = await api(harness, 'POST', `/api/sessions/${manager.id}/messages`, { text: 'go left' });
    expect(steered.status).toBe(202);
    expect(steered.body.delivery).toBe('live');
    await harness.until(() =>
      harness.store
        .listMessages(manager.id, { after: 0, limit: 100 })
        .some((m) => m.text === 'steered: go left'),
    );
    await expectError(
      api(harness, 'POST', `/api/sessions/${manager.id}/messages`, { text: '   ' }),
      400,
      'invalid_argument',
    );
    const canceled = await api(harness, 'POST', `/api/objectives/${objective.id}/cancel`, {});
    expect(canceled.status).toBe(200);
    expect(canceled.body.objective.status).toBe('canceled');
    await harness.until(() => harness.store.getSession(manager.id).status === 'canceled');
    await expectError(
      api(harness, 'POST', `/api/sessions/${manager.id}/messages`, { text: 'too late' }),
      409,
      'conflict',
    );
    await expectError(
      api(harness, 'GET', `/api/sessions/${manager.id}/screen`),
      409,
      'capability_unsupported',
    );
  });

  it('pages a transcript with after and limit', async () => {
    const { manager } = await harness.orchestrator.createObjective({ title: 'paging', prompt: 'p' });
    harness.store.appendMessages(
      manager.id,
      Array.from({ length: 250 }, (_, i) => ({
        at: Date.now(),
        kind: 'output' as const,
        text: `line ${i}`,
        data: null,
      })),
    );
    const first = await api(harness, 'GET', `/api/sessions/${manager.id}/messages?limit=100`);
    expect(first.body.messages).toHaveLength(100);
    expect(first.body.next).toBe(first.body.messages[99].seq);
    const second = await api(
      harness,
      'GET',
      `/api/sessions/${manager.id}/messages?after=${first.body.next}&limit=100`,
    );
    expect(second.body.messages[0].seq).toBe(first.body.next + 1);
    await expectError(
      api(harness, 'GET', `/api/sessions/${manager.id}/messages?limit=abc`),
      400,
      'invalid_argument',
    );
  });

  it('serves a small dashboard summary and an OpenAPI 3.1 document', async () => {
    const dashboard = await api(harness, 'GET', '/api/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.info.fakeAgents).toBe(true);
    expect(JSON.stringify(dashboard.body)).not.toContain('line 1');
    const doc = await api(harness, 'GET', '/api/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/objectives', '/api/sessions/{id}/messages', '/api/events']),
    );
    const page = await fetch(`${harness.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/api/objectives');
  });
});

describe('the global change feed', () => {
  it('streams store events with their ids, resumes from Last-Event-ID, and carries no transcript text', async () => {
    const start = harness.store.latestEventId();
    const feed = await openSse(`${harness.url}/api/events?after=${start}`);
    expect(feed.status).toBe(200);
    const { manager } = await harness.orchestrator.createObjective({
      title: 'feed',
      prompt: 'secret transcript words',
    });
    await feed.until((messages) =>
      messages.some((m) => m.event === 'message-append' && m.data.includes(manager.id)),
    );
    const received = feed.messages.filter((m) => m.id !== null);
    expect(received.map((m) => Number(m.id))).toEqual(
      [...received.map((m) => Number(m.id))].sort((a, b) => a - b),
    );
    expect(received.every((m) => JSON.parse(m.data).type === m.event)).toBe(true);
    expect(feed.messages.some((m) => m.data.includes('secret transcript words'))).toBe(false);
    await feed.close();

    const middle = Number(received[2]!.id);
    const resumed = await openSse(`${harness.url}/api/events`, { 'last-event-id': String(middle) });
    await resumed.until((messages) => messages.filter((m) => m.id).length >= received.length - 3);
    const ids = resumed.messages.filter((m) => m.id).map((m) => Number(m.id));
    expect(ids[0]).toBe(Number(received[3]!.id));
    expect(new Set(ids).size).toBe(ids.length);
    await resumed.close();
  });

  it('streams one session’s transcript from a cursor', async () => {
    const { manager } = await harness.orchestrator.createObjective({
      title: 'stream',
      prompt: 'hello stream',
    });
    await harness.until(() => harness.store.getSession(manager.id).messageCount > 0);
    const stream = await openSse(`${harness.url}/api/sessions/${manager.id}/stream?after=0`);
    await stream.until((messages) =>
      messages.some((m) => m.event === 'message' && m.data.includes('hello stream')),
    );
    expect(stream.messages[0]!.id).toBe('1');
    await stream.close();
  });
});
