import type {
  Dashboard as DashboardResponse,
  HistoryPage,
  ObjectiveRow,
  Schemas,
  SessionRow,
  TargetWithLoad,
} from '@orcha/client';
import type { OrchaEvent, PullRequest, Question, Session, SessionStatus } from '@orcha/model';

type Counts = Schemas['Counts'];
type ProviderUsage = Schemas['ProviderUsage'];
type PullRequestWithFeedback = Schemas['PullRequestWithFeedback'];
type ServerInfo = Schemas['ServerInfo'];

import type { ConnectionState } from './event-feed';

/** Everything the overview shows. Replaced immutably: a changed session gets a new row object. */
export interface DashboardState {
  phase: 'loading' | 'ready' | 'error';
  error: string | null;
  info: ServerInfo | null;
  counts: Counts;
  objectives: Record<string, ObjectiveRow>;
  sessions: Record<string, SessionRow>;
  /** Objective ids, newest first. */
  objectiveOrder: string[];
  /** Session ids per objective, oldest first (changes only when sessions are added). */
  sessionsByObjective: Record<string, string[]>;
  targets: TargetWithLoad[];
  questions: Question[];
  pullRequests: PullRequestWithFeedback[];
  providers: ProviderUsage[];
  /** Recent events, newest first. */
  feed: OrchaEvent[];
  connection: ConnectionState;
  /** Events up to this id are contained in the loaded snapshot. */
  snapshotEventId: number;
  /** Where older finished objectives start; null when all are loaded. */
  historyNext: string | null;
  /** True once older pages were loaded: a new snapshot keeps them. */
  historyExtended: boolean;
}

export const feedLength = 200;

const zeroCounts: Counts = {
  queued: 0,
  waiting_capacity: 0,
  starting: 0,
  running: 0,
  waiting_input: 0,
  paused: 0,
  completed: 0,
  failed: 0,
  canceled: 0,
  openQuestions: 0,
  openPullRequests: 0,
  targetsOnline: 0,
};

export const initialState: DashboardState = {
  phase: 'loading',
  error: null,
  info: null,
  counts: zeroCounts,
  objectives: {},
  sessions: {},
  objectiveOrder: [],
  sessionsByObjective: {},
  targets: [],
  questions: [],
  pullRequests: [],
  providers: [],
  feed: [],
  connection: 'connecting',
  snapshotEventId: 0,
  historyNext: null,
  historyExtended: false,
};

export const terminalStatuses: readonly SessionStatus[] = ['completed', 'failed', 'canceled'];
export const isTerminal = (status: SessionStatus) => terminalStatuses.includes(status);

/** A full session as the small row the overview keeps. */
export function toRow(session: Session | SessionRow): SessionRow {
  return {
    id: session.id,
    objectiveId: session.objectiveId,
    parentId: session.parentId,
    role: session.role,
    agent: session.agent,
    title: session.title,
    status: session.status,
    statusReason: session.statusReason,
    targetId: session.targetId,
    pullRequestId: session.pullRequestId,
    interactivity: session.interactivity,
    attachCommand: session.attachCommand,
    usage: session.usage,
    lastActivity: session.lastActivity,
    messageCount: session.messageCount,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    budget: session.budget,
    budgetLevel: session.budgetLevel,
  };
}

function orderObjectives(objectives: Record<string, ObjectiveRow>): string[] {
  return Object.values(objectives)
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((objective) => objective.id);
}

function groupSessions(sessions: Record<string, SessionRow>): Record<string, string[]> {
  const groups: Record<string, SessionRow[]> = {};
  for (const session of Object.values(sessions)) {
    const group = groups[session.objectiveId];
    if (group) group.push(session);
    else groups[session.objectiveId] = [session];
  }
  const ids: Record<string, string[]> = {};
  for (const [objectiveId, rows] of Object.entries(groups)) {
    ids[objectiveId] = rows
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((s) => s.id);
  }
  return ids;
}

export function fromSnapshot(state: DashboardState, snapshot: DashboardResponse): DashboardState {
  const objectives = Object.fromEntries(snapshot.summary.objectives.map((o) => [o.id, o]));
  const sessions = Object.fromEntries(snapshot.summary.sessions.map((s) => [s.id, s]));
  // Older pages the person loaded stay: finished objectives do not change, and the snapshot holds one page.
  if (state.historyExtended) {
    for (const objective of Object.values(state.objectives))
      if (objective.status !== 'active' && !objectives[objective.id]) objectives[objective.id] = objective;
    for (const session of Object.values(state.sessions))
      if (objectives[session.objectiveId] && !sessions[session.id]) sessions[session.id] = session;
  }
  const feedback = new Map(state.pullRequests.map((pr) => [pr.id, pr.feedback]));
  return {
    ...state,
    phase: 'ready',
    error: null,
    info: snapshot.info,
    counts: snapshot.summary.counts,
    objectives,
    sessions,
    objectiveOrder: orderObjectives(objectives),
    sessionsByObjective: groupSessions(sessions),
    targets: snapshot.targets,
    questions: snapshot.questions,
    pullRequests: snapshot.pullRequests.map((pr) => ({ ...pr, feedback: feedback.get(pr.id) ?? [] })),
    providers: snapshot.providers,
    snapshotEventId: snapshot.latestEventId,
    historyNext: state.historyExtended ? state.historyNext : snapshot.summary.historyNext,
  };
}

/** Adds a page of older finished objectives. */
export function withHistory(state: DashboardState, page: HistoryPage): DashboardState {
  const objectives = { ...state.objectives };
  for (const objective of page.objectives) objectives[objective.id] ??= objective;
  const next = upsertSessions(
    { ...state, objectives, objectiveOrder: orderObjectives(objectives) },
    page.sessions.filter((session) => !state.sessions[session.id]),
  );
  return { ...next, historyNext: page.next, historyExtended: true };
}

/** Inserts or replaces session rows fetched from the server (fresher than any event seen so far). */
export function upsertSessions(state: DashboardState, rows: SessionRow[]): DashboardState {
  if (rows.length === 0) return state;
  const sessions = { ...state.sessions };
  let added = false;
  for (const row of rows) {
    if (!sessions[row.id]) added = true;
    sessions[row.id] = row;
  }
  return {
    ...state,
    sessions,
    sessionsByObjective: added ? groupSessions(sessions) : state.sessionsByObjective,
  };
}

export function upsertObjective(state: DashboardState, objective: ObjectiveRow): DashboardState {
  const known = state.objectives[objective.id];
  const objectives = { ...state.objectives, [objective.id]: objective };
  return { ...state, objectives, objectiveOrder: known ? state.objectiveOrder : orderObjectives(objectives) };
}

export function withQuestions(state: DashboardState, questions: Question[]): DashboardState {
  const open = questions.filter((q) => q.status === 'open');
  return { ...state, questions: open, counts: { ...state.counts, openQuestions: open.length } };
}

/** One objective's pull requests, fresh from the API, in place of those the state held for it. */
export function withPullRequests(
  state: DashboardState,
  objectiveId: string,
  fresh: PullRequestWithFeedback[],
): DashboardState {
  const others = state.pullRequests.filter((pr) => pr.objectiveId !== objectiveId);
  const openOf = (prs: PullRequestWithFeedback[]) => prs.filter((pr) => pr.state === 'open').length;
  const open =
    state.counts.openPullRequests -
    openOf(state.pullRequests.filter((pr) => pr.objectiveId === objectiveId)) +
    openOf(fresh);
  const pullRequests = [...others, ...fresh].sort((a, b) => a.createdAt - b.createdAt);
  return { ...state, pullRequests, counts: { ...state.counts, openPullRequests: open } };
}

export function withTargets(state: DashboardState, targets: TargetWithLoad[]): DashboardState {
  const online = targets.filter((t) => t.status === 'online').length;
  return { ...state, targets, counts: { ...state.counts, targetsOnline: online } };
}

export function pullRequestPatch(
  pr: PullRequestWithFeedback,
  patch: Partial<PullRequest>,
): PullRequestWithFeedback {
  return { ...pr, ...patch };
}
