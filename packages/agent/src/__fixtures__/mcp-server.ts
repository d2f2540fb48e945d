import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface TestMcpServer {
  url: string;
  /** The Authorization header of every HTTP request, in order. */
  readonly authorizations: (string | undefined)[];
  /** MCP sessions opened, and those the client ended (DELETE). */
  readonly opened: string[];
  readonly closed: string[];
  stop(): Promise<void>;
}

function tools(): McpServer {
  const server = new McpServer({ name: 'agent-test', version: '1.0.0' });
  server.registerTool(
    'add',
    {
      description: 'adds two numbers',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => ({
      content: [{ type: 'text', text: String(a + b) }],
      structuredContent: { sum: a + b },
    }),
  );
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text: `echo: ${text}` }],
  }));
  server.registerTool('status', {}, async () => ({
    content: [{ type: 'text', text: JSON.stringify({ ok: true, count: 2 }) }],
  }));
  server.registerTool('refuse', {}, async () => ({
    content: [{ type: 'text', text: 'refused: not allowed' }],
    isError: true,
  }));
  return server;
}

/** A real Streamable-HTTP MCP server (stateful) on 127.0.0.1 that records what it was sent. */
export async function startTestMcpServer(): Promise<TestMcpServer> {
  const authorizations: (string | undefined)[] = [];
  const opened: string[] = [];
  const closed: string[] = [];
  const live = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization);
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = live.get(sessionId);
      if (!transport) return void res.writeHead(404).end();
      if (req.method === 'DELETE') closed.push(sessionId);
      return void (await transport.handleRequest(req, res));
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        opened.push(id);
        live.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) live.delete(transport.sessionId);
    };
    await tools().connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    authorizations,
    opened,
    closed,
    async stop() {
      await Promise.all([...live.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
