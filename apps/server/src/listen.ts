import { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';

export type Fetch = Parameters<typeof serve>[0]['fetch'];
export type ListeningServer = ReturnType<typeof serve>;

/**
 * Serves `fetch` on `hostname:port` (0: any free port) once it listens. An idle keep-alive connection is
 * closed by the client, never by orcha first: Node's server closes one after 5 s by default while clients
 * reuse theirs for about as long (undici, Node's fetch, up to 4 s by coarse timers; load balancers 60 s),
 * and a request sent on a connection the server is closing at that moment fails ("other side closed")
 * and is not retried — a POST cannot be. So orcha keeps idle connections longer than any of them.
 */
export function listen(fetch: Fetch, hostname: string, port: number): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', reject);
    if (server instanceof HttpServer) {
      server.keepAliveTimeout = 65_000;
      // Node closed a kept-alive connection at the headers timeout when that was the shorter.
      server.headersTimeout = 66_000;
    }
  });
}
