// Transport-level mistakes at the MCP endpoint (wrong Accept, wrong content type, a body over the limit)
// answer JSON a client can read: a JSON-RPC error, as the MCP spec has servers answer a request they refuse,
// whose `error` carries a code and a message that says what to fix. Never an empty body or HTML.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createFakeProvider } from '@orcha/agent';
import { maxMcpBodyBytes } from '@orcha/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, mcpClient, startHarness } from './harness.js';

let harness: Harness;
let managerId = '';
let token = '';
let client: Client;

beforeAll(async () => {
  const tokens = new Map<string, string>();
  const provider = createFakeProvider({
    script: async (agent) => {
      tokens.set(agent.spec.sessionId, agent.spec.mcp!.token);
      await agent.hang();
    },
  });
  harness = await startHarness({ providers: { fake: provider } });
  const { manager } = await harness.orchestrator.createObjective({ title: 'transport', prompt: 'p' });
  token = await harness.until(() => tokens.get(manager.id));
  managerId = manager.id;
  client = await mcpClient(harness.url, managerId, token);
});
afterAll(async () => {
  await client?.close();
  await harness?.close({ remove: true });
});

const listTools = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });

async function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${harness.url}/mcp/${managerId}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...headers,
    },
    body,
  });
}

/** The JSON error body of a refused request. */
async function errorOf(response: Response): Promise<{ code: number | string; message: string }> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { jsonrpc?: string; error: { code: number; message: string } };
  expect(body.error).toEqual({ code: expect.any(Number), message: expect.any(String) });
  expect(body.jsonrpc).toBe('2.0');
  return body.error;
}

describe('MCP transport errors', () => {
  it('answers 406 with a JSON error when the client does not accept JSON and event streams', async () => {
    const response = await post(listTools, { accept: 'text/html' });
    expect(response.status).toBe(406);
    expect((await errorOf(response)).message).toMatch(/accept/i);
  });

  it('answers 415 with a JSON error for a body that is not JSON', async () => {
    const response = await post(listTools, { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect((await errorOf(response)).message).toMatch(/application\/json/);
  });

  it('answers 413 with a JSON error naming the limit for a body over it, and the SDK client shows it', async () => {
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'create_note', arguments: { title: 't', body: 'x'.repeat(maxMcpBodyBytes) } },
    });
    const response = await post(huge, {});
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toContain(String(maxMcpBodyBytes));
    const notes = harness.store.listNotes({}).length;
    await expect(
      client.callTool({ name: 'create_note', arguments: { title: 't', body: 'x'.repeat(maxMcpBodyBytes) } }),
    ).rejects.toThrow(new RegExp(`Payload Too Large[\\s\\S]*${maxMcpBodyBytes} bytes`));
    expect(harness.store.listNotes({})).toHaveLength(notes);
    // The endpoint still serves the same client afterwards.
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });
});
