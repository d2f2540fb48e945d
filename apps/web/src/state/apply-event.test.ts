import type { SessionRow } from '@orcha/client';
import type { OrchaEvent, Question } from '@orcha/model';
import { describe, expect, it } from 'vitest';
import { applyEvent, type Refresh } from './apply-event';
import { type DashboardState, initialState, withPullRequests } from './dashboard-state';

const session = (id: string, status: SessionRow['status']): SessionRow => ({
  id,
  objectiveId: 'obj_1',
  parentId: null,
  role: 'worker',
  agent: 'fake',
  title: id,
  status,
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

function stateWith(rows: SessionRow[], snapshotEventId = 10): DashboardState {
  const counts = { ...initialState.counts };
  for (const row of rows) counts[row.status] += 1;
  return {
    ...initialState,
    phase: 'ready',
    counts,
    sessions: Object.fromEntries(rows.map((row) => [row.id, row])),
    objectives: {
      obj_1: {
        id: 'obj_1',
        title: 'o',
        status: 'active',
        agent: 'fake',
        repo: null,
        baseBranch: null,
        summary: null,
        budget: null,
        budgetLevel: 0,
        createdAt: 1,
        updatedAt: 1,
      },
    },
    snapshotEventId,
  };
}

const statusChange = (id: number, sessionId: string, from: SessionRow['status'], to: SessionRow['status']) =>
  ({
    id,
    at: 1000 + id,
    type: 'session-status-change',
    objectiveId: 'obj_1',
    sessionId,
    from,
    to,
    reason: `now ${to}`,
  }) as OrchaEvent;

describe('applyEvent', () => {
  it('applies a status change to the row and moves one count', () => {
    const refreshes: Refresh[] = [];
    const next = applyEvent(
      stateWith([session('ses_a', 'queued')]),
      statusChange(11, 'ses_a', 'queued', 'running'),
      (r) => refreshes.push(r),
    );
    expect(next.sessions.ses_a).toMatchObject({
      status: 'running',
      statusReason: 'now running',
      startedAt: 1011,
    });
    expect(next.counts.queued).toBe(0);
    expect(next.counts.running).toBe(1);
    expect(next.feed[0]!.id).toBe(11);
    // It started: where it runs comes from a fetch; the target's load changed.
    expect(refreshes).toEqual([{ kind: 'targets' }, { kind: 'session', id: 'ses_a' }]);
  });

  it('keeps a fresher row, and still moves the counts: the row was fetched after a later change', () => {
    const state = stateWith([session('ses_a', 'completed')]);
    const next = applyEvent(state, statusChange(11, 'ses_a', 'running', 'completed'), () => {});
    expect(next.sessions).toBe(state.sessions);
    expect(next.counts).toMatchObject({ running: 0, completed: 2 });
  });

  it("keeps the counts exact from a session's creation to its end, whatever its fetched row shows", () => {
    let state = stateWith([]);
    const created = { id: 11, at: 1011, type: 'session-create', objectiveId: 'obj_1', sessionId: 'ses_a' };
    state = applyEvent(state, { ...created, role: 'worker', agent: 'fake' } as OrchaEvent, () => {});
    expect(state.counts.queued).toBe(1);
    // The fetched row arrives first, already running, before the starting → running event.
    state = { ...state, sessions: { ses_a: session('ses_a', 'running') } };
    state = applyEvent(state, statusChange(12, 'ses_a', 'queued', 'starting'), () => {});
    state = applyEvent(state, statusChange(13, 'ses_a', 'starting', 'running'), () => {});
    state = applyEvent(state, statusChange(14, 'ses_a', 'running', 'waiting_input'), () => {});
    expect(state.sessions.ses_a!.status).toBe('waiting_input');
    expect(state.counts).toMatchObject({ queued: 0, starting: 0, running: 0, waiting_input: 1 });
  });

  it('only lists events the snapshot already contains', () => {
    const state = stateWith([session('ses_a', 'queued')], 20);
    const next = applyEvent(state, statusChange(15, 'ses_a', 'queued', 'running'), () => {});
    expect(next.sessions.ses_a!.status).toBe('queued');
    expect(next.feed.map((event) => event.id)).toEqual([15]);
  });

  it('counts message appends and asks for the new last line', () => {
    const refreshes: Refresh[] = [];
    const event = {
      id: 11,
      at: 5,
      type: 'message-append',
      objectiveId: 'obj_1',
      sessionId: 'ses_a',
      fromSeq: 1,
      toSeq: 7,
    } as OrchaEvent;
    const next = applyEvent(stateWith([session('ses_a', 'running')]), event, (r) => refreshes.push(r));
    expect(next.sessions.ses_a!.messageCount).toBe(7);
    expect(refreshes).toEqual([{ kind: 'activity', id: 'ses_a' }]);
  });

  it('drops an answered question and fetches a newly opened one', () => {
    const question: Question = {
      id: 'qst_1',
      objectiveId: 'obj_1',
      sessionId: null,
      kind: 'ask_user',
      prompt: 'p',
      options: [],
      status: 'open',
      answer: null,
      createdAt: 1,
      answeredAt: null,
    };
    const state = {
      ...stateWith([]),
      questions: [question],
      counts: { ...initialState.counts, openQuestions: 1 },
    };
    const answered = {
      id: 11,
      at: 5,
      type: 'question-status-change',
      objectiveId: 'obj_1',
      sessionId: null,
      questionId: 'qst_1',
      to: 'answered',
    } as OrchaEvent;
    const next = applyEvent(state, answered, () => {});
    expect(next.questions).toEqual([]);
    expect(next.counts.openQuestions).toBe(0);
    const refreshes: Refresh[] = [];
    const opened = {
      id: 12,
      at: 6,
      type: 'question-open',
      objectiveId: 'obj_1',
      sessionId: null,
      questionId: 'qst_2',
      kind: 'loop_guard',
    } as OrchaEvent;
    applyEvent(next, opened, (r) => refreshes.push(r));
    expect(refreshes).toEqual([{ kind: 'questions' }]);
  });

  it('keeps the feed to its most recent events, newest first', () => {
    let state = stateWith([], 0);
    for (let id = 1; id <= 250; id++) {
      state = applyEvent(
        state,
        { id, at: id, type: 'target-create', targetId: 'tgt_1', name: 'x' } as OrchaEvent,
        () => {},
      );
    }
    expect(state.feed).toHaveLength(200);
    expect(state.feed[0]!.id).toBe(250);
    expect(state.feed.at(-1)!.id).toBe(51);
  });

  it('shows the agent a session continues on at once, without a fetch', () => {
    const state = stateWith([{ ...session('ses_1', 'running'), agent: 'claude', attachCommand: 'tmux a' }]);
    const refreshes: Refresh[] = [];
    const switched = {
      id: 11,
      at: 2000,
      type: 'session-agent-switch',
      objectiveId: 'obj_1',
      sessionId: 'ses_1',
      from: 'claude',
      to: 'codex',
      reason: 'claude is out of usage',
    } as OrchaEvent;
    const next = applyEvent(state, switched, (r) => refreshes.push(r));
    expect(next.sessions.ses_1).toMatchObject({ agent: 'codex', attachCommand: null, updatedAt: 2000 });
    expect(next.feed[0]).toBe(switched);
    expect(refreshes).toEqual([]);
  });
});

describe('pull requests', () => {
  const pr = (id: string, objectiveId: string, state: 'open' | 'merged' | 'closed') => ({
    id,
    objectiveId,
    sessionId: null,
    repo: 'acme/app',
    number: 1,
    url: `https://github.invalid/acme/app/pull/${id}`,
    title: id,
    branch: `orcha/${id}`,
    baseBranch: 'main',
    state,
    headSha: 'a'.repeat(40),
    checks: 'none' as const,
    createdAt: id.length,
    updatedAt: 1,
    feedback: [],
  });

  it('refreshes only the objective an event names, and keeps the open count of every other one', () => {
    // 3 open pull requests in all (the snapshot's aggregate); only obj_1's are held with their feedback.
    let state: DashboardState = {
      ...stateWith([]),
      pullRequests: [pr('pr_a', 'obj_1', 'open')],
      counts: { ...stateWith([]).counts, openPullRequests: 3 },
    };
    const refreshes: Refresh[] = [];
    const merged = {
      id: 11,
      at: 1011,
      type: 'pr-update',
      objectiveId: 'obj_1',
      sessionId: null,
      pullRequestId: 'pr_a',
      state: 'merged',
      headSha: 'b'.repeat(40),
    } as OrchaEvent;
    state = applyEvent(state, merged, (request) => refreshes.push(request));
    expect(refreshes).toEqual([{ kind: 'pullRequests', objectiveId: 'obj_1' }]);
    expect(state.counts.openPullRequests).toBe(2);
    // The fetch answers obj_1's pull requests: one merged, one new and open.
    state = withPullRequests(state, 'obj_1', [pr('pr_a', 'obj_1', 'merged'), pr('pr_bb', 'obj_1', 'open')]);
    expect(state.counts.openPullRequests).toBe(3);
    expect(state.pullRequests.map((p) => p.id)).toEqual(['pr_a', 'pr_bb']);
  });
});
