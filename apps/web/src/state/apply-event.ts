import type { OrchaEvent, SessionStatus } from '@orcha/model';
import { type DashboardState, feedLength, isTerminal } from './dashboard-state';

/** Something an event announces but does not carry: fetched after the event (coalesced). */
export type Refresh =
  | { kind: 'session'; id: string }
  /** Only the last line of activity changed: fetched less often. */
  | { kind: 'activity'; id: string }
  | { kind: 'objective'; id: string }
  | { kind: 'questions' }
  /** An objective's pull requests with their feedback: never every pull request ever opened. */
  | { kind: 'pullRequests'; objectiveId: string }
  | { kind: 'targets' };

const slotStatuses: readonly SessionStatus[] = ['starting', 'running'];

/**
 * Applies one feed event. What the event carries is applied at once (statuses, usage, message counts);
 * what it only announces is returned as refreshes. Events at or below `snapshotEventId` are already in the
 * snapshot and only join the feed.
 */
export function applyEvent(
  state: DashboardState,
  event: OrchaEvent,
  refresh: (request: Refresh) => void,
): DashboardState {
  const feed = [event, ...state.feed].slice(0, feedLength);
  if (event.id <= state.snapshotEventId) return { ...state, feed };
  const next = { ...state, feed };
  switch (event.type) {
    case 'objective-create':
      refresh({ kind: 'objective', id: event.objectiveId });
      return next;
    case 'objective-status-change': {
      const objective = next.objectives[event.objectiveId];
      if (!objective) {
        refresh({ kind: 'objective', id: event.objectiveId });
        return next;
      }
      next.objectives = {
        ...next.objectives,
        [objective.id]: { ...objective, status: event.to, updatedAt: event.at },
      };
      return next;
    }
    case 'session-create':
      // A session is created queued; the snapshot's counts plus one move per later event stay exact.
      next.counts = { ...next.counts, queued: next.counts.queued + 1 };
      refresh(
        next.objectives[event.objectiveId]
          ? { kind: 'session', id: event.sessionId }
          : { kind: 'objective', id: event.objectiveId },
      );
      return next;
    case 'session-status-change': {
      const session = next.sessions[event.sessionId];
      // The counts move with every event after the snapshot, whatever the row shows: a row fetched after a
      // later change is fresher than this event, but the counts never saw that change.
      const counts = { ...next.counts };
      counts[event.from] = Math.max(0, counts[event.from] - 1);
      counts[event.to] += 1;
      next.counts = counts;
      if (slotStatuses.includes(event.from) !== slotStatuses.includes(event.to)) refresh({ kind: 'targets' });
      // A row already past this event (fetched after it) keeps its fresher status.
      if (session && session.status !== event.from) return next;
      if (session) {
        next.sessions = {
          ...next.sessions,
          [session.id]: {
            ...session,
            status: event.to,
            statusReason: event.reason,
            updatedAt: event.at,
            startedAt: session.startedAt ?? (slotStatuses.includes(event.to) ? event.at : null),
            endedAt: isTerminal(event.to) ? event.at : session.endedAt,
          },
        };
        // Where it runs and what it attached to are set as it starts.
        if (event.to === 'starting' || event.to === 'running') refresh({ kind: 'session', id: session.id });
      } else if (next.objectives[event.objectiveId]) {
        refresh({ kind: 'session', id: event.sessionId });
      }
      return next;
    }
    case 'session-update': {
      const session = next.sessions[event.sessionId];
      if (!session) return next;
      if (event.usage) next.sessions = { ...next.sessions, [session.id]: { ...session, usage: event.usage } };
      if (event.fields.some((field) => field !== 'usage' && field !== 'counters'))
        refresh({ kind: 'session', id: session.id });
      return next;
    }
    case 'session-agent-switch': {
      const session = next.sessions[event.sessionId];
      if (!session) return next;
      next.sessions = {
        ...next.sessions,
        [session.id]: { ...session, agent: event.to, attachCommand: null, updatedAt: event.at },
      };
      return next;
    }
    case 'message-append': {
      const session = next.sessions[event.sessionId];
      if (!session) return next;
      if (event.toSeq > session.messageCount) {
        next.sessions = {
          ...next.sessions,
          [session.id]: { ...session, messageCount: event.toSeq, updatedAt: event.at },
        };
      }
      // The last line of activity is not in the event.
      refresh({ kind: 'activity', id: session.id });
      return next;
    }
    case 'question-open':
      refresh({ kind: 'questions' });
      return next;
    case 'question-status-change': {
      if (event.to === 'open') {
        refresh({ kind: 'questions' });
        return next;
      }
      const questions = next.questions.filter((question) => question.id !== event.questionId);
      return { ...next, questions, counts: { ...next.counts, openQuestions: questions.length } };
    }
    case 'pr-update': {
      // Every open pull request is in the state (the snapshot holds them all), so one missing was not open.
      const before = next.pullRequests.find((pr) => pr.id === event.pullRequestId);
      const pullRequests = next.pullRequests.map((pr) =>
        pr.id === event.pullRequestId
          ? { ...pr, state: event.state, headSha: event.headSha, updatedAt: event.at }
          : pr,
      );
      refresh({ kind: 'pullRequests', objectiveId: event.objectiveId });
      const delta = Number(event.state === 'open') - Number(before?.state === 'open');
      const open = next.counts.openPullRequests + delta;
      return { ...next, pullRequests, counts: { ...next.counts, openPullRequests: open } };
    }
    case 'pr-open':
    case 'feedback-receive':
      refresh({ kind: 'pullRequests', objectiveId: event.objectiveId });
      return next;
    case 'target-create':
    case 'target-doctor':
      refresh({ kind: 'targets' });
      return next;
    case 'target-status-change': {
      const targets = next.targets.map((t) => (t.id === event.targetId ? { ...t, status: event.to } : t));
      refresh({ kind: 'targets' });
      return {
        ...next,
        targets,
        counts: { ...next.counts, targetsOnline: targets.filter((t) => t.status === 'online').length },
      };
    }
    case 'budget-change': {
      const budget = { budget: event.budget, budgetLevel: event.level };
      if (event.sessionId) {
        const session = next.sessions[event.sessionId];
        if (session) next.sessions = { ...next.sessions, [session.id]: { ...session, ...budget } };
      } else {
        const objective = next.objectives[event.objectiveId];
        if (objective) next.objectives = { ...next.objectives, [objective.id]: { ...objective, ...budget } };
      }
      return next;
    }
    case 'provider-usage-change': {
      const others = next.providers.filter((p) => p.provider !== event.provider);
      return {
        ...next,
        providers: [
          ...others,
          { provider: event.provider, exhaustedUntil: event.exhaustedUntil, updatedAt: event.at },
        ],
      };
    }
    case 'note-create':
    case 'artifact-create':
    case 'workspace-update':
    case 'workspace-commit':
      return next;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
