import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** A real MCP Streamable HTTP server on 127.0.0.1 with one `echo` tool, behind a bearer token. */
export interface McpTestServer {
  readonly url: string;
  readonly token: string;
  /** Every `echo` call: its text and the Authorization header it came with. */
  readonly calls: { text: string; authorization: string | undefined }[];
  /** Requests turned away for a missing or wrong token. */
  readonly rejected: number;
  stop(): Promise<void>;
}

export async function startMcpTestServer(): Promise<McpTestServer> {
  const token = randomBytes(12).toString('hex');
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const state = { calls: [] as McpTestServer['calls'], rejected: 0 };

  const newSession = async (): Promise<StreamableHTTPServerTransport> => {
    const server = new McpServer({ name: 'orcha-test', version: '0.0.1' });
    server.registerTool(
      'echo',
      { description: 'Echoes the text back', inputSchema: { text: z.string() } },
      async ({ text }, extra) => {
        const authorization = extra.requestInfo?.headers.authorization;
        state.calls.push({
          text,
          authorization: Array.isArray(authorization) ? authorization[0] : authorization,
        });
        return { content: [{ type: 'text', text: `echo: ${text}` }] };
      },
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      state.rejected += 1;
      res.writeHead(401).end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handleRequest(req, res);
      return;
    }
    await (await newSession()).handleRequest(req, res);
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
    calls: state.calls,
    get rejected() {
      return state.rejected;
    },
    async stop() {
      await Promise.all([...sessions.values()].map((transport) => transport.close().catch(() => {})));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
