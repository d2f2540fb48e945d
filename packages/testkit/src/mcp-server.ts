import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/**
 * A real MCP server (the official SDK, Streamable HTTP, stateful) on 127.0.0.1, for agent providers to call.
 * Tools: `echo {text}` → `echo: <text>` (recorded in `calls`), `add {a, b}` → the sum (also as structured
 * content), `status` → a JSON text, `refuse` → a tool error.
 */
export interface TestMcpServer {
  /** The Streamable HTTP endpoint (`…/mcp`). */
  readonly url: string;
  /** The bearer token every request must carry, when the server was started with one; else null. */
  readonly token: string | null;
  /** Every `echo` call: its text and the Authorization header it came with. */
  readonly calls: { text: string; authorization: string | undefined }[];
  /** The Authorization header of every HTTP request, in order (refused ones included). */
  readonly authorizations: (string | undefined)[];
  /** Requests turned away for a missing or wrong bearer token. */
  readonly rejected: number;
  /** MCP sessions opened, and those the client ended (DELETE). */
  readonly opened: string[];
  readonly closed: string[];
  stop(): Promise<void>;
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Starts the server; with `token`, requests without `Authorization: Bearer <token>` get 401. */
export async function startTestMcpServer(options: { token?: string } = {}): Promise<TestMcpServer> {
  const token = options.token ?? null;
  const calls: TestMcpServer['calls'] = [];
  const authorizations: TestMcpServer['authorizations'] = [];
  const opened: string[] = [];
  const closed: string[] = [];
  const live = new Map<string, StreamableHTTPServerTransport>();
  let rejected = 0;

  const tools = () => {
    const server = new McpServer({ name: 'orcha-test', version: '1.0.0' });
    server.registerTool(
      'echo',
      { description: 'Echoes the text back', inputSchema: { text: z.string() } },
      async ({ text }, extra) => {
        calls.push({ text, authorization: header(extra.requestInfo?.headers.authorization) });
        return { content: [{ type: 'text', text: `echo: ${text}` }] };
      },
    );
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
    server.registerTool('status', {}, async () => ({
      content: [{ type: 'text', text: JSON.stringify({ ok: true, count: 2 }) }],
    }));
    server.registerTool('refuse', {}, async () => ({
      content: [{ type: 'text', text: 'refused: not allowed' }],
      isError: true,
    }));
    return server;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    authorizations.push(req.headers.authorization);
    if (token !== null && req.headers.authorization !== `Bearer ${token}`) {
      rejected++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
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
  };

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    calls,
    authorizations,
    get rejected() {
      return rejected;
    },
    opened,
    closed,
    async stop() {
      await Promise.all([...live.values()].map((transport) => transport.close().catch(() => {})));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
