// The MCP endpoint is strict and clean for real clients: the SDK's own client, raw JSON-RPC where a client
// would never send the mistake, and the HTTP edge around it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createFakeProvider } from '@orcha/agent';
import { artifactContentLimit } from '@orcha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, mcpClient, startHarness } from './harness.js';
import { byRole } from './scripts.js';

let harness: Harness;
let managerId = '';
let managerToken = '';
let workerId = '';
let client: Client;

beforeAll(async () => {
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
  const { manager, objective } = await harness.orchestrator.createObjective({ title: 'strict', prompt: 'p' });
  const worker = await harness.until(() =>
    harness.store
      .listSessions({ objectiveId: objective.id, role: 'worker' })
      .find((s) => s.status === 'running' && tokens.has(manager.id)),
  );
  managerId = manager.id;
  managerToken = tokens.get(manager.id)!;
  workerId = worker.id;
  client = await mcpClient(harness.url, managerId, managerToken);
});
afterAll(async () => {
  await client?.close();
  await harness?.close({ remove: true });
});

/** The JSON error a tool answered with. */
function toolError(result: Awaited<ReturnType<Client['callTool']>>): { code: string; message: string } {
  expect(result.isError).toBe(true);
  const [first] = result.content as { type: string; text: string }[];
  return (JSON.parse(first!.text) as { error: { code: string; message: string } }).error;
}

/** A raw JSON-RPC POST to the manager's endpoint. */
async function rpc(body: unknown, method = 'POST'): Promise<Response> {
  return fetch(`${harness.url}/mcp/${managerId}`, {
    method,
    headers: {
      authorization: `Bearer ${managerToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
}

const sessionCount = () => harness.store.listSessions({}).length;

describe('tool arguments', () => {
  it('refuses an unknown argument by name, even where the tool takes none', async () => {
    const error = toolError(
      await client.callTool({ name: 'list_sessions', arguments: { unexpected: true } }),
    );
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain('"unexpected"');
    expect(error.message).toContain('takes no arguments');
  });

  it('refuses a misspelled optional with the closest known name, and changes nothing', async () => {
    const before = sessionCount();
    const error = toolError(
      await client.callTool({
        name: 'spawn_session',
        arguments: { prompt: 'after w', dependson: [workerId] },
      }),
    );
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain('"dependson" (did you mean "dependsOn"?)');
    expect(sessionCount()).toBe(before);
  });

  it('names the closest tool when the name is misspelled', async () => {
    const error = toolError(await client.callTool({ name: 'list_session', arguments: {} }));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('list_sessions');
  });

  it('answers -32602 for a tools/call without a name or with non-object arguments', async () => {
    for (const params of [
      { arguments: {} },
      { name: 'list_sessions', arguments: 'x' },
      { name: 'get_session', arguments: [1] },
    ]) {
      const response = await rpc({ jsonrpc: '2.0', id: 7, method: 'tools/call', params });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { id: number; error?: { code: number } };
      expect(body.id).toBe(7);
      expect(body.error?.code, JSON.stringify(params)).toBe(-32602);
    }
  });
});

describe('create_artifact', () => {
  it('states one limit and refuses anything over it with a clear error, storing nothing', async () => {
    const { tools } = await client.listTools();
    const artifact = tools.find((tool) => tool.name === 'create_artifact')!;
    expect(artifact.description).toContain(artifactContentLimit.toLocaleString('en-US'));
    const before = harness.store.listArtifacts({}).length;
    const error = toolError(
      await client.callTool({
        name: 'create_artifact',
        arguments: { name: 'big.txt', content: 'x'.repeat(5_000_000) },
      }),
    );
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain(`at most ${artifactContentLimit} characters`);
    expect(harness.store.listArtifacts({}).length).toBe(before);
  });

  it('stores content right at the limit, even when JSON escapes every character', async () => {
    const result = await client.callTool({
      name: 'create_artifact',
      arguments: { name: 'edge.bin', content: '\u0001'.repeat(artifactContentLimit) },
    });
    expect(result.isError).toBeFalsy();
    const { id } = result.structuredContent as { id: string };
    expect(harness.store.getArtifact(id).content).toHaveLength(artifactContentLimit);
  }, 60_000);
});

describe('the tool list', () => {
  it('describes every property, declares outputs and annotations', async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBe(13);
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
      for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {}))
        expect((property as { description?: string }).description, `${tool.name}.${name}`).toBeTruthy();
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean');
    }
    const byName = Object.fromEntries(tools.map((tool) => [tool.name, tool]));
    for (const name of ['list_sessions', 'get_session', 'read_transcript', 'list_pull_requests'])
      expect(byName[name]!.annotations?.readOnlyHint, name).toBe(true);
    expect(byName.cancel_session!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.spawn_session!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  });

  it('answers data as structuredContent matching the output schema (the client validates it)', async () => {
    const listed = await client.callTool({ name: 'list_sessions', arguments: {} });
    const { sessions } = listed.structuredContent as { sessions: { id: string }[] };
    expect(sessions.map((s) => s.id).sort()).toEqual([managerId, workerId].sort());
    const [text] = listed.content as { text: string }[];
    expect(JSON.parse(text!.text)).toEqual(listed.structuredContent);
    const one = await client.callTool({ name: 'get_session', arguments: { sessionId: workerId } });
    expect(one.structuredContent).toMatchObject({ id: workerId, role: 'worker' });
    const transcript = await client.callTool({
      name: 'read_transcript',
      arguments: { sessionId: managerId, limit: 5 },
    });
    const { messages } = transcript.structuredContent as { messages: { seq: number; text: string }[] };
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThanOrEqual(5);
    const pulls = await client.callTool({ name: 'list_pull_requests', arguments: {} });
    expect(pulls.structuredContent).toEqual({ pullRequests: [] });
  });
});

describe('the endpoint', () => {
  it('advertises only what it sends: tools without listChanged', () => {
    expect(client.getServerCapabilities()?.tools).toEqual({});
  });

  it('answers GET and DELETE with 405 (no standalone stream), so clients do not poll it', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await rpc(undefined, method);
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toEqual({
        error: { code: 'method_not_allowed', message: expect.any(String) },
      });
    }
  });

  it('leaves a connected SDK client idle: its one GET is answered 405 and never retried', async () => {
    const gets: number[] = [];
    let firstGet: (() => void) | undefined;
    const answered = new Promise<void>((resolve) => {
      firstGet = resolve;
    });
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? 'GET') === 'GET') {
        gets.push(response.status);
        firstGet?.();
      }
      return response;
    };
    const idle = new Client({ name: 'orcha-test-idle', version: '1.0.0' });
    await idle.connect(
      new StreamableHTTPClientTransport(new URL(`${harness.url}/mcp/${managerId}`), {
        fetch: counting,
        requestInit: { headers: { authorization: `Bearer ${managerToken}` } },
        // A stream that ends would be reopened at once: any retry shows up within the calls below.
        reconnectionOptions: {
          initialReconnectionDelay: 0,
          maxReconnectionDelay: 0,
          reconnectionDelayGrowFactor: 1,
          maxRetries: 100,
        },
      }),
    );
    await answered;
    for (let i = 0; i < 5; i++) await idle.callTool({ name: 'list_sessions', arguments: {} });
    expect(gets).toEqual([405]);
    await idle.close();
  });

  it('answers 401 with WWW-Authenticate: Bearer and JSON 404 for unknown MCP and OAuth paths', async () => {
    const anonymous = await fetch(`${harness.url}/mcp/${managerId}`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    for (const path of [
      `/mcp/${managerId}/extra`,
      '/mcp',
      '/.well-known/oauth-protected-resource',
      `/.well-known/oauth-protected-resource/mcp/${managerId}`,
      '/.well-known/oauth-authorization-server',
      '/API/x',
      '//api/x',
      '/nope',
    ]) {
      const response = await fetch(`${harness.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/json');
      expect(await response.json(), path).toEqual({
        error: { code: 'not_found', message: expect.any(String) },
      });
    }
  });
});
