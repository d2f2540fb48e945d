import { closeServer, type Fetch, listen } from './listen.js';

/** What agents on other machines may reach: their session's MCP endpoint (token-checked), and the health probe. */
const forAgents = (path: string) => path.startsWith('/mcp/') || path === '/api/health';

/**
 * The endpoint SSH targets' reverse tunnels lead to: a loopback port of its own that serves only what
 * agents need. A tunnel's port on a target's loopback is open to every user of that machine, so none of
 * them reaches the rest of the API through it.
 */
export async function serveAgentEndpoint(fetch: Fetch): Promise<{ url: string; close(): Promise<void> }> {
  const onlyAgents: Fetch = (request, ...rest) =>
    forAgents(new URL(request.url).pathname)
      ? fetch(request, ...rest)
      : Response.json(
          { error: { code: 'not_found', message: 'machines reach only their sessions’ MCP endpoints here' } },
          { status: 404 },
        );
  const server = await listen(onlyAgents, '127.0.0.1', 0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
}
