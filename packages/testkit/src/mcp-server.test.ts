import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMcpServer, type TestMcpServer } from './mcp-server.js';

let mcp: TestMcpServer;
beforeAll(async () => {
  mcp = await startTestMcpServer({ token: 'test-token' });
});
afterAll(() => mcp.stop());

describe('test MCP server', () => {
  it('answers its tools to a client with the token, recording echo calls and sessions', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), {
      requestInit: { headers: { authorization: 'Bearer test-token' } },
    });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo', 'refuse', 'status']);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).toMatchObject({
      content: [{ type: 'text', text: 'echo: hi' }],
    });
    expect(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).toMatchObject({
      structuredContent: { sum: 5 },
    });
    expect(await client.callTool({ name: 'refuse', arguments: {} })).toMatchObject({ isError: true });
    await transport.terminateSession();
    await client.close();
    expect(mcp.calls).toEqual([{ text: 'hi', authorization: 'Bearer test-token' }]);
    expect(mcp.opened).toHaveLength(1);
    expect(mcp.closed).toEqual(mcp.opened);
    expect(mcp.rejected).toBe(0);
  });

  it('turns away a request without the token', async () => {
    const response = await fetch(mcp.url, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(mcp.rejected).toBe(1);
  });
});
