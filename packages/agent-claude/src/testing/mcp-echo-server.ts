import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface McpEchoServer {
  /** The Streamable HTTP endpoint (`…/mcp`). */
  readonly url: string;
  readonly token: string;
  /** Every `echo` call: its text and the Authorization header it came with. */
  readonly calls: { text: string; authorization: string | undefined }[];
  /** Requests turned away for a missing or wrong bearer token. */
  readonly refused: number;
  stop(): Promise<void>;
}

/**
 * A real MCP server (the official SDK, Streamable HTTP, stateless) on 127.0.0.1 with one tool, `echo`,
 * that only answers requests carrying `Authorization: Bearer <token>` — what orcha's own endpoint does.
 */
export async function startMcpEchoServer(token: string): Promise<McpEchoServer> {
  const calls: McpEchoServer['calls'] = [];
  let refused = 0;
  const http = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      refused++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    const server = new McpServer({ name: 'orcha-test', version: '1.0.0' });
    server.registerTool(
      'echo',
      { description: 'Echo back text', inputSchema: { text: z.string() } },
      async ({ text }, extra) => {
        const authorization = extra.requestInfo?.headers.authorization;
        calls.push({ text, authorization: Array.isArray(authorization) ? authorization[0] : authorization });
        return { content: [{ type: 'text', text: `echo: ${text}` }] };
      },
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    calls,
    get refused() {
      return refused;
    },
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
