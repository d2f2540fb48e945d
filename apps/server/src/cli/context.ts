import { createOrchaClient, type OrchaClient, result } from '@orcha/client';
import { endpointOf } from './endpoint.js';
import { nodeFetch } from './http.js';

/** What every command gets: the typed client of the server it talks to, and whether to print JSON. */
export interface Context {
  client: OrchaClient;
  baseUrl: string;
  token: string | undefined;
  json: boolean;
  /** What `readEventStream` needs to reach the same server the same way. */
  stream: { baseUrl: string; token: string | undefined; fetch: typeof fetch };
}

export interface GlobalOptions {
  url?: string;
  json?: boolean;
}

export function contextOf(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Context {
  const { baseUrl, token } = endpointOf(options.url, env);
  const client = createOrchaClient({ baseUrl, token, fetch: nodeFetch });
  return {
    client,
    baseUrl,
    token,
    json: options.json === true,
    stream: { baseUrl, token, fetch: nodeFetch },
  };
}

export { result };

/** An id's kind from its prefix (`obj_…`, `ses_…`). */
export function kindOf(id: string): 'objective' | 'session' | 'question' | 'other' {
  if (id.startsWith('obj_')) return 'objective';
  if (id.startsWith('ses_')) return 'session';
  if (id.startsWith('qst_')) return 'question';
  return 'other';
}

/** Wraps a command's action: it gets the context, then commander's arguments (the options, the command). */
export type Run = <A extends unknown[]>(
  action: (ctx: Context, ...args: A) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;
