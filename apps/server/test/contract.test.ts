import { createFakeProvider } from '@orcha/agent';
import { createApi } from '@orcha/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDocument, checkFrame, checkResponse, openApi } from './contract.js';
import { api, type Harness, startHarness } from './harness.js';

type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  parameters?: { name: string; description?: string }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
const operations = Object.entries(openApi.paths as Record<string, Record<string, Operation>>).flatMap(
  ([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

let harness: Harness;
beforeAll(async () => {
  const provider = createFakeProvider({ script: async (agent) => void (await agent.waitForInput()) });
  harness = await startHarness({ providers: { fake: provider } });
});
afterAll(() => harness.close({ remove: true }));

describe('the OpenAPI document', () => {
  it('lists every route the app mounts under /api, and nothing it does not mount', () => {
    const app = createApi({
      orchestrator: harness.orchestrator,
      info: { version: 'test', fakeAgents: true, agents: ['fake'], forge: 'fake' },
    });
    const mounted = app.routes
      .filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/'))
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = operations.map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect([...new Set(mounted)].sort()).toEqual([...documented].sort());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(openApi.openapi).toBe('3.1.0');
    expect(await checkDocument()).toEqual({ valid: true, errors: [] });
  });

  it('gives every operation an id, a tag, a description, a typed success and its 4xx errors', () => {
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const { path, method, operation } of operations) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.tags?.length, where).toBeGreaterThan(0);
      expect(operation.summary, where).toBeTruthy();
      expect(operation.description, where).toBeTruthy();
      const statuses = Object.keys(operation.responses);
      const success = statuses.filter((status) => /^2/.test(status));
      expect(success, where).toHaveLength(1);
      const content = operation.responses[success[0]!]!.content ?? {};
      expect(
        Object.values(content).every((media) => media.schema),
        where,
      ).toBe(true);
      expect(Object.keys(content).length, where).toBeGreaterThan(0);
      expect(statuses.filter((status) => /^4/.test(status)).length, where).toBeGreaterThan(0);
      for (const parameter of operation.parameters ?? [])
        expect(parameter.description, `${where} ${parameter.name}`).toBeTruthy();
    }
    expect(openApi.components?.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('uses only portable patterns: no lookaround, which RE2-based validators cannot compile', () => {
    const patterns = JSON.stringify(openApi).match(/"pattern":"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) expect(pattern).not.toMatch(/\(\?[=!<]/);
  });

  it('documents the SSE events of both streams with the data schema of each', () => {
    const feed = JSON.stringify(openApi.paths?.['/api/events']);
    expect(feed).toContain('text/event-stream');
    const frames = JSON.stringify(openApi.components?.schemas?.FeedFrame);
    for (const name of ['hello', 'session-status-change', 'message-append', 'question-open'])
      expect(frames).toContain(`"enum":["${name}"]`);
    const transcript = JSON.stringify(openApi.components?.schemas?.TranscriptFrame);
    for (const name of ['message', 'status', 'end']) expect(transcript).toContain(`"enum":["${name}"]`);
  });
});

describe('responses against the document', () => {
  it('rejects a body that does not match, an undeclared status and an undocumented route', async () => {
    await expect(
      checkResponse('GET', '/api/objectives', 200, { objectives: [{ id: 'nope' }] }),
    ).rejects.toThrow(/does not match/);
    await expect(checkResponse('GET', '/api/objectives', 418, {})).rejects.toThrow(/status/);
    await expect(checkResponse('GET', '/api/made-up', 200, {})).rejects.toThrow(/not in the OpenAPI/);
    await checkResponse('GET', '/api/objectives', 200, { objectives: [] });
  });

  it('checks SSE frames against their stream’s schema: a wrong name, a missing field, a foreign stream', async () => {
    await checkFrame('/api/events', { event: 'hello', data: { latestEventId: 3 } });
    const [sessionId, objectiveId] = ['ses_', 'obj_'].map((prefix) => `${prefix}${'0'.repeat(26)}`);
    const status = { id: 4, at: 1, type: 'session-status-change', sessionId, objectiveId };
    await checkFrame('/api/events', {
      event: 'session-status-change',
      id: 4,
      data: { ...status, from: 'queued', to: 'starting', reason: null },
    });
    await expect(
      checkFrame('/api/events', { event: 'made-up', id: 4, data: { ...status, type: 'made-up' } }),
    ).rejects.toThrow(/does not match/);
    await expect(
      checkFrame('/api/events', { event: 'session-status-change', id: 4, data: status }),
    ).rejects.toThrow(/does not match/);
    await checkFrame(`/api/sessions/${sessionId}/stream`, { event: 'end', data: { status: 'completed' } });
    await expect(
      checkFrame(`/api/sessions/${sessionId}/stream`, { event: 'hello', data: { latestEventId: 3 } }),
    ).rejects.toThrow(/does not match/);
    await expect(checkFrame('/api/objectives', { event: 'hello', data: {} })).rejects.toThrow(
      /not an event stream/,
    );
  });

  it('answers in camelCase and takes the seed’s snake_case fields as aliases, renamed at the edge', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'aliases',
      prompt: 'p',
      repo: null,
      base_branch: 'release/1.x',
      agent: 'fake',
    });
    expect(created.status).toBe(201);
    expect(created.body.objective.baseBranch).toBe('release/1.x');
    expect(JSON.stringify(created.body)).not.toMatch(/"[a-z]+_[a-z_]+":/);
    const both = await api(harness, 'POST', '/api/objectives', {
      title: 'both',
      baseBranch: 'a',
      base_branch: 'b',
    });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/base_branch and baseBranch/);
    const target = await api(harness, 'POST', '/api/targets', {
      name: 'aliased',
      kind: 'local',
      work_root: `${harness.dir.path}/aliased`,
      capacity_sessions: 2,
    });
    expect(target.status).toBe(201);
    expect(target.body.target).toMatchObject({
      workRoot: `${harness.dir.path}/aliased`,
      capacitySessions: 2,
    });
  });

  it('refuses a branch name the portable pattern allows but git does not', async () => {
    for (const branch of ['a..b', 'main.lock', 'x/', '-x']) {
      const response = await api(harness, 'POST', '/api/objectives', { title: 't', baseBranch: branch });
      expect(response.status, branch).toBe(400);
    }
  });
});
