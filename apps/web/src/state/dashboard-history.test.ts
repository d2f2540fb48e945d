import type { Dashboard as DashboardResponse, HistoryPage, ObjectiveRow, SessionRow } from '@orcha/client';
import { describe, expect, it } from 'vitest';
import { fromSnapshot, initialState, withHistory } from './dashboard-state';

const objective = (id: string, status: ObjectiveRow['status'], createdAt: number): ObjectiveRow => ({
  id,
  title: id,
  status,
  agent: 'fake',
  repo: null,
  baseBranch: null,
  summary: null,
  budget: null,
  budgetLevel: 0,
  createdAt,
  updatedAt: createdAt,
});

const session = (id: string, objectiveId: string): SessionRow => ({
  id,
  objectiveId,
  parentId: null,
  role: 'manager',
  agent: 'fake',
  title: id,
  status: 'completed',
  statusReason: null,
  targetId: null,
  pullRequestId: null,
  interactivity: 'interactive',
  attachCommand: null,
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 0 },
  lastActivity: null,
  messageCount: 0,
  createdAt: 1,
  updatedAt: 1,
  startedAt: null,
  endedAt: null,
  budget: null,
  budgetLevel: 0,
});

function snapshot(objectives: ObjectiveRow[], historyNext: string | null): DashboardResponse {
  return {
    info: { version: '0', fakeAgents: true, agents: ['fake'], forge: 'fake' },
    summary: {
      counts: initialState.counts,
      objectives,
      sessions: objectives.map((o) => session(`s-${o.id}`, o.id)),
      historyNext,
    },
    targets: [],
    questions: [],
    pullRequests: [],
    providers: [],
    latestEventId: 1,
  };
}

const page = (objectives: ObjectiveRow[], next: string | null): HistoryPage => ({
  objectives,
  sessions: objectives.map((o) => session(`s-${o.id}`, o.id)),
  next,
});

describe('dashboard history', () => {
  it('adds older pages, and keeps them and their cursor through a new snapshot', () => {
    const first = fromSnapshot(
      initialState,
      snapshot([objective('a', 'active', 5), objective('b', 'done', 4)], 'b'),
    );
    expect(first.historyNext).toBe('b');
    const paged = withHistory(first, page([objective('c', 'done', 3)], 'c'));
    expect(paged.objectiveOrder).toEqual(['a', 'b', 'c']);
    expect(paged.sessionsByObjective.c).toEqual(['s-c']);
    expect(paged.historyNext).toBe('c');

    // A reload of the snapshot (which holds one page) keeps what was paged in.
    const reloaded = fromSnapshot(
      paged,
      snapshot([objective('a', 'done', 5), objective('b', 'done', 4)], 'b'),
    );
    expect(reloaded.objectiveOrder).toEqual(['a', 'b', 'c']);
    expect(reloaded.sessions['s-c']).toBeDefined();
    expect(reloaded.historyNext).toBe('c');
  });

  it('takes the snapshot as it is while no older page was loaded', () => {
    const first = fromSnapshot(
      initialState,
      snapshot([objective('b', 'done', 4), objective('c', 'done', 3)], 'c'),
    );
    const next = fromSnapshot(first, snapshot([objective('a', 'done', 5), objective('b', 'done', 4)], 'b'));
    expect(next.objectiveOrder).toEqual(['a', 'b']);
    expect(next.historyNext).toBe('b');
  });
});
