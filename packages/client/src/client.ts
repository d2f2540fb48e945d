import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';

/** Every named schema of the API, e.g. `Schemas['Session']`. */
export type Schemas = components['schemas'];
export type Dashboard = Schemas['Dashboard'];
export type HistoryPage = Schemas['HistoryPage'];
export type ObjectiveRow = Schemas['ObjectiveRow'];
export type SessionRow = Schemas['SessionRow'];
export type SessionDetail = Schemas['SessionDetail'];
export type TargetWithLoad = Schemas['TargetWithLoad'];
export type TargetRegistration = Schemas['TargetRegistration'];
export type ArtifactSummary = Schemas['ArtifactSummary'];
export type Notification = Schemas['Notification'];
export type Replica = Schemas['Replica'];
export type NewObjective = Schemas['NewObjective'];
export type NewTarget = Schemas['NewTarget'];
export type FeedFrame = Schemas['FeedFrame'];
export type TranscriptFrame = Schemas['TranscriptFrame'];

/** The typed client: `client.GET('/api/sessions/{id}', { params: { path: { id } } })` and so on. */
export type OrchaClient = Client<paths>;

export interface OrchaClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. Empty (the default) is this page's own origin. */
  baseUrl?: string;
  /** The API token, sent as a bearer. Browsers sign in with a cookie instead and leave it out. */
  token?: string | undefined;
  fetch?: typeof fetch;
}

export function createOrchaClient(options: OrchaClientOptions = {}): OrchaClient {
  return createClient<paths>({
    baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    // Looked up per request, so a test or page may replace the global fetch after creating the client.
    fetch: (request: Request) => (options.fetch ?? globalThis.fetch)(request),
  });
}

/** An error the API answered (`{ error: { code, message } }`), or `unavailable` when it could not be reached. */
export class OrchaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OrchaApiError';
  }
}

function isErrorBody(value: unknown): value is Schemas['Error'] {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

/**
 * The data of a call, or an `OrchaApiError`: `await result(client.GET('/api/objectives'))`. An aborted
 * call rethrows its AbortError.
 */
export async function result<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let outcome: { data?: T; error?: unknown; response: Response };
  try {
    outcome = await call;
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new OrchaApiError(0, 'unavailable', 'the orcha server is not reachable');
  }
  const { data, error, response } = outcome;
  if (!response.ok) {
    if (isErrorBody(error)) throw new OrchaApiError(response.status, error.error.code, error.error.message);
    throw new OrchaApiError(response.status, 'internal', `${response.url} answered ${response.status}`);
  }
  return data as T;
}
