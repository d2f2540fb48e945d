import type { OrchaEvent } from '@orcha/model';
import type { DashboardState } from '../state/dashboard-state';

export interface EventLine {
  /** A short category for the badge. */
  tag: string;
  text: string;
  /** The session the line is about, when there is one to open. */
  sessionId: string | null;
  tone: 'neutral' | 'good' | 'bad' | 'attention';
}

type Names = Pick<DashboardState, 'sessions' | 'objectives' | 'targets'>;

function sessionName(names: Names, id: string): string {
  const session = names.sessions[id];
  return session ? `${session.role} “${session.title || session.agent}”` : `session …${id.slice(-6)}`;
}

function objectiveName(names: Names, id: string): string {
  const objective = names.objectives[id];
  return objective ? `“${objective.title}”` : `objective …${id.slice(-6)}`;
}

function targetName(names: Names, id: string): string {
  return names.targets.find((target) => target.id === id)?.name ?? `target …${id.slice(-6)}`;
}

/** One line of "what changed" for an event. */
export function describeEvent(event: OrchaEvent, names: Names): EventLine {
  switch (event.type) {
    case 'objective-create':
      return { tag: 'objective', text: `new objective “${event.title}”`, sessionId: null, tone: 'neutral' };
    case 'objective-status-change':
      return {
        tag: 'objective',
        text: `${objectiveName(names, event.objectiveId)} is ${event.to}`,
        sessionId: null,
        tone: event.to === 'done' ? 'good' : event.to === 'active' ? 'neutral' : 'bad',
      };
    case 'session-create':
      return {
        tag: 'session',
        text: `${event.role} started (${event.agent})`,
        sessionId: event.sessionId,
        tone: 'neutral',
      };
    case 'session-status-change': {
      const tone =
        event.to === 'completed'
          ? 'good'
          : event.to === 'failed'
            ? 'bad'
            : event.to === 'waiting_input' || event.to === 'paused'
              ? 'attention'
              : 'neutral';
      const reason = event.reason ? ` — ${event.reason}` : '';
      return {
        tag: 'status',
        text: `${sessionName(names, event.sessionId)} ${event.from} → ${event.to}${reason}`,
        sessionId: event.sessionId,
        tone,
      };
    }
    case 'session-update':
      return {
        tag: 'update',
        text: `${sessionName(names, event.sessionId)} updated ${event.fields.join(', ')}`,
        sessionId: event.sessionId,
        tone: 'neutral',
      };
    case 'session-agent-switch':
      return {
        tag: 'failover',
        text: `${sessionName(names, event.sessionId)} continues on ${event.to} (was ${event.from}): ${event.reason}`,
        sessionId: event.sessionId,
        tone: 'attention',
      };
    case 'message-append': {
      const count = event.toSeq - event.fromSeq + 1;
      return {
        tag: 'output',
        text: `${sessionName(names, event.sessionId)} +${count} message${count === 1 ? '' : 's'}`,
        sessionId: event.sessionId,
        tone: 'neutral',
      };
    }
    case 'question-open':
      return {
        tag: 'question',
        text: `question (${event.kind.replace('_', ' ')}) in ${objectiveName(names, event.objectiveId)}`,
        sessionId: event.sessionId,
        tone: 'attention',
      };
    case 'question-status-change':
      return { tag: 'question', text: `question ${event.to}`, sessionId: event.sessionId, tone: 'neutral' };
    case 'pr-open':
      return {
        tag: 'pr',
        text: `PR #${event.number} opened in ${objectiveName(names, event.objectiveId)}`,
        sessionId: event.sessionId,
        tone: 'good',
      };
    case 'pr-update':
      return {
        tag: 'pr',
        text: `PR ${event.state} at ${event.headSha.slice(0, 7)}`,
        sessionId: null,
        tone: event.state === 'closed' ? 'attention' : 'neutral',
      };
    case 'feedback-receive':
      return {
        tag: 'feedback',
        text: `${event.kind.replace('_', ' ')} received on a PR`,
        sessionId: null,
        tone: 'attention',
      };
    case 'note-create':
      return {
        tag: 'note',
        text: `note in ${objectiveName(names, event.objectiveId)}`,
        sessionId: event.sessionId,
        tone: 'neutral',
      };
    case 'artifact-create':
      return {
        tag: 'artifact',
        text: `artifact in ${objectiveName(names, event.objectiveId)}`,
        sessionId: event.sessionId,
        tone: 'neutral',
      };
    case 'target-create':
      return { tag: 'target', text: `target ${event.name} added`, sessionId: null, tone: 'neutral' };
    case 'target-status-change':
      return {
        tag: 'target',
        text: `${targetName(names, event.targetId)} ${event.from} → ${event.to}`,
        sessionId: null,
        tone: event.to === 'online' ? 'good' : 'attention',
      };
    case 'target-doctor':
      return {
        tag: 'doctor',
        text: `${targetName(names, event.targetId)} doctor ${event.ok ? 'passed' : 'found problems'}`,
        sessionId: null,
        tone: event.ok ? 'good' : 'bad',
      };
    case 'workspace-update':
      return {
        tag: 'workspace',
        text: `workspace ${event.status}`,
        sessionId: null,
        tone: event.status === 'failed' ? 'bad' : 'neutral',
      };
    case 'workspace-commit':
      return {
        tag: 'workspace',
        text: `${event.sessionId ? sessionName(names, event.sessionId) : 'a workspace'}: orcha committed ${event.files} file${event.files === 1 ? '' : 's'} left uncommitted (${event.sha.slice(0, 7)})`,
        sessionId: event.sessionId,
        tone: 'neutral',
      };
    case 'budget-change':
      return {
        tag: 'budget',
        text: `${event.sessionId ? sessionName(names, event.sessionId) : objectiveName(names, event.objectiveId)}: ${
          event.level > event.from
            ? `${event.level}% of its budget spent`
            : event.budget
              ? 'budget changed'
              : 'budget removed'
        }`,
        sessionId: event.sessionId,
        tone:
          event.level === 100 && event.from < 100
            ? 'bad'
            : event.level > event.from
              ? 'attention'
              : 'neutral',
      };
    case 'provider-usage-change':
      return {
        tag: 'usage',
        text: event.exhaustedUntil
          ? `${event.provider} exhausted until ${new Date(event.exhaustedUntil).toLocaleTimeString()}`
          : `${event.provider} available again`,
        sessionId: null,
        tone: event.exhaustedUntil ? 'bad' : 'good',
      };
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
}
