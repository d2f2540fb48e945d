import { serve } from '@hono/node-server';

export type Fetch = Parameters<typeof serve>[0]['fetch'];
export type ListeningServer = ReturnType<typeof serve>;

/** Serves `fetch` on `hostname:port` (0: any free port), resolved once it listens. */
export function listen(fetch: Fetch, hostname: string, port: number): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once('error', reject);
  });
}

/** Stops listening; resolved once every connection has closed. */
export function closeServer(server: ListeningServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
