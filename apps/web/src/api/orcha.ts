import { createOrchaClient, type NewObjective, type NewTarget, OrchaApiError, result } from '@orcha/client';

/** The dashboard's client of the API: this page's origin, signed in with the login cookie. */
const orcha = createOrchaClient();

export { OrchaApiError as ApiError };

/** A call's data; a 401 says how to sign in. */
async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  try {
    return await result(request);
  } catch (error) {
    if (error instanceof OrchaApiError && error.status === 401) {
      throw new OrchaApiError(
        401,
        'unauthorized',
        'this server needs you to sign in: open the login link `orcha serve` printed (or /?token=<API token>)',
      );
    }
    throw error;
  }
}

const path = (id: string) => ({ params: { path: { id } } });

/** Every call the dashboard makes, each one typed by the generated client. */
export const api = {
  dashboard: (signal?: AbortSignal) => call(orcha.GET('/api/dashboard', { signal })),
  history: (before: string) => call(orcha.GET('/api/dashboard/history', { params: { query: { before } } })),
  objective: (id: string) => call(orcha.GET('/api/objectives/{id}', path(id))),
  createObjective: (body: NewObjective) => call(orcha.POST('/api/objectives', { body })),
  cancelObjective: (id: string) => call(orcha.POST('/api/objectives/{id}/cancel', { ...path(id), body: {} })),
  session: (id: string, signal?: AbortSignal) =>
    call(orcha.GET('/api/sessions/{id}', { ...path(id), signal })),
  messages: (id: string, after: number, limit: number, signal?: AbortSignal) =>
    call(
      orcha.GET('/api/sessions/{id}/messages', {
        params: { path: { id }, query: { after, limit } },
        signal,
      }),
    ),
  steer: (id: string, text: string) =>
    call(orcha.POST('/api/sessions/{id}/messages', { ...path(id), body: { text } })),
  cancelSession: (id: string) => call(orcha.POST('/api/sessions/{id}/cancel', { ...path(id), body: {} })),
  continueOn: (id: string, agent: string) =>
    call(orcha.POST('/api/sessions/{id}/continue-on', { ...path(id), body: { agent } })),
  screen: (id: string, signal?: AbortSignal) =>
    call(orcha.GET('/api/sessions/{id}/screen', { ...path(id), signal })),
  questions: () => call(orcha.GET('/api/questions', { params: { query: { status: 'open' } } })),
  answer: (id: string, answer: string) =>
    call(orcha.POST('/api/questions/{id}/answer', { ...path(id), body: { answer } })),
  pullRequests: (objectiveId: string) =>
    call(orcha.GET('/api/pull-requests', { params: { query: { objectiveId } } })),
  targets: () => call(orcha.GET('/api/targets')),
  createTarget: (body: NewTarget) => call(orcha.POST('/api/targets', { body })),
  doctor: (id: string) => call(orcha.POST('/api/targets/{id}/doctor', path(id))),
  setTarget: (id: string, action: 'drain' | 'disable' | 'enable') =>
    action === 'drain'
      ? call(orcha.POST('/api/targets/{id}/drain', path(id)))
      : action === 'disable'
        ? call(orcha.POST('/api/targets/{id}/disable', path(id)))
        : call(orcha.POST('/api/targets/{id}/enable', path(id))),
  notes: (sessionId: string) => call(orcha.GET('/api/notes', { params: { query: { sessionId } } })),
  artifacts: (sessionId: string) => call(orcha.GET('/api/artifacts', { params: { query: { sessionId } } })),
  artifact: (id: string) => call(orcha.GET('/api/artifacts/{id}', path(id))),
  replicas: (signal?: AbortSignal) => call(orcha.GET('/api/replicas', { signal })),
  notifications: (signal?: AbortSignal) =>
    call(orcha.GET('/api/notifications', { params: { query: { limit: 100 } }, signal })),
  config: (signal?: AbortSignal) => call(orcha.GET('/api/config', { signal })),
};

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
