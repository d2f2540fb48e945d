import type { Artifact, Note, Objective, Question, Session, Target } from '@orcha/model';
import type {
  ArtifactSummary,
  ConfigResponse,
  DashboardResponse,
  Delivery,
  HistoryPage,
  MessagesPage,
  NewObjective,
  NewTarget,
  NotificationEntry,
  ObjectiveDetailResponse,
  PullRequestWithFeedback,
  ScreenResponse,
  SessionDetailResponse,
  TargetRegistration,
} from './types';

/** An error answered by the API (`{ error: { code, message } }`) or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isErrorBody(value: unknown): value is { error: { code: string; message: string } } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'unavailable', 'the orcha server is not reachable');
  }
  const text = await response.text();
  let value: unknown = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = null;
  }
  if (!response.ok) {
    if (response.status === 401) {
      throw new ApiError(
        401,
        'unauthorized',
        'this server needs you to sign in: open the login link `orcha serve` printed (or /?token=<API token>)',
      );
    }
    if (isErrorBody(value)) throw new ApiError(response.status, value.error.code, value.error.message);
    throw new ApiError(response.status, 'internal', `${method} ${path} answered ${response.status}`);
  }
  return value as T;
}

const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
const id = encodeURIComponent;

/** Every call the dashboard makes: HTTP only, JSON in and out. */
export const api = {
  dashboard: (signal?: AbortSignal) => get<DashboardResponse>('/api/dashboard', signal),
  history: (before: string) => get<HistoryPage>(`/api/dashboard/history?before=${id(before)}`),
  objective: (objectiveId: string) => get<ObjectiveDetailResponse>(`/api/objectives/${id(objectiveId)}`),
  createObjective: (input: NewObjective) =>
    post<{ objective: Objective; manager: Session }>('/api/objectives', input),
  cancelObjective: (objectiveId: string) =>
    post<{ objective: Objective }>(`/api/objectives/${id(objectiveId)}/cancel`, {}),
  session: (sessionId: string, signal?: AbortSignal) =>
    get<SessionDetailResponse>(`/api/sessions/${id(sessionId)}`, signal),
  messages: (sessionId: string, after: number, limit: number, signal?: AbortSignal) =>
    get<MessagesPage>(`/api/sessions/${id(sessionId)}/messages?after=${after}&limit=${limit}`, signal),
  steer: (sessionId: string, text: string) =>
    post<{ delivery: Delivery }>(`/api/sessions/${id(sessionId)}/messages`, { text }),
  cancelSession: (sessionId: string) =>
    post<{ session: Session }>(`/api/sessions/${id(sessionId)}/cancel`, {}),
  continueOn: (sessionId: string, agent: string) =>
    post<{ session: Session }>(`/api/sessions/${id(sessionId)}/continue-on`, { agent }),
  screen: (sessionId: string, signal?: AbortSignal) =>
    get<ScreenResponse>(`/api/sessions/${id(sessionId)}/screen`, signal),
  questions: () => get<{ questions: Question[] }>('/api/questions?status=open'),
  answer: (questionId: string, answer: string) =>
    post<{ question: Question }>(`/api/questions/${id(questionId)}/answer`, { answer }),
  pullRequests: (objectiveId: string) =>
    get<{ pullRequests: PullRequestWithFeedback[] }>(
      `/api/pull-requests?objectiveId=${encodeURIComponent(objectiveId)}`,
    ),
  targets: () => get<{ targets: DashboardResponse['targets'] }>('/api/targets'),
  createTarget: (input: NewTarget) => post<TargetRegistration>('/api/targets', input),
  doctor: (targetId: string) => post<TargetRegistration>(`/api/targets/${id(targetId)}/doctor`, {}),
  setTarget: (targetId: string, action: 'drain' | 'disable' | 'enable') =>
    post<{ target: Target }>(`/api/targets/${id(targetId)}/${action}`, {}),
  notes: (sessionId: string) => get<{ notes: Note[] }>(`/api/notes?sessionId=${id(sessionId)}`),
  artifacts: (sessionId: string) =>
    get<{ artifacts: ArtifactSummary[] }>(`/api/artifacts?sessionId=${id(sessionId)}`),
  artifact: (artifactId: string) => get<{ artifact: Artifact }>(`/api/artifacts/${id(artifactId)}`),
  notifications: (signal?: AbortSignal) =>
    get<{ notifications: NotificationEntry[] }>('/api/notifications?limit=100', signal),
  config: (signal?: AbortSignal) => get<ConfigResponse>('/api/config', signal),
};

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
