import type { QuestionKind, SessionRole } from './entities.js';
import { activeSessionStatuses, type SessionStatus, sessionMachine } from './states.js';

/**
 * What a session waits on when its turn ends, read from the store just before the fact is reported:
 * a message or answer queued for it, its own open question to the person, an exhausted agent.
 */
export interface TurnContext {
  pendingInput: boolean;
  openQuestion: boolean;
  exhausted: boolean;
}

/**
 * Something that happened to a session. The core reports facts; `nextSessionStatus` alone decides what
 * they mean for the session's status.
 */
export type SessionFact =
  /** The scheduler claimed a target slot for it. */
  | { type: 'slot-claimed' }
  /** No target can take it now (full, offline, draining). */
  | { type: 'no-slot'; reason: string }
  /** A dependency ended without completing. */
  | { type: 'dependency-ended'; dependencyId: string; status: SessionStatus }
  /** Its agent (and every fallback) is out of usage; it waits for the reset. */
  | { type: 'usage-exhausted'; reason: string }
  /** Its agent can run again. */
  | { type: 'usage-reset'; reason: string }
  /** It was moved to another agent (failover or the person's choice): it starts again there. */
  | { type: 'agent-switched'; reason: string }
  /** The agent process reported its first event. */
  | { type: 'process-started' }
  /** The agent finished a turn. */
  | ({ type: 'turn-completed'; isError: boolean; result: string | null } & TurnContext)
  /** The agent process ended (by itself, or crashed). `code` is its exit code when it had one. */
  | ({
      type: 'process-exited';
      reason: 'completed' | 'failed' | 'canceled' | 'crashed';
      code: number | null;
      /** The last error the agent reported in this run, the best reason for a failure. */
      lastError: string | null;
    } & TurnContext)
  /** orcha stops the session's process on purpose (or stopped before it began). */
  | { type: 'stop-requested'; why: 'cancel' | 'pause' | 'restart' | 'shutdown'; reason: string }
  /** A message or an answer waits for the session. */
  | { type: 'input-pending' }
  /** The person answered a question that paused the session. */
  | { type: 'question-answered'; kind: QuestionKind; cancel: boolean }
  /**
   * On start-up the session's process was gone. Its conversation is `resumable` (the agent gave its id),
   * `unstarted` (the agent never reached its first conversation id: unstarted work, run again from its prompt
   * and inbox) or `lost` (neither can be done, e.g. its agent is no longer configured).
   */
  | { type: 'restart-found-no-process'; conversation: 'resumable' | 'unstarted' | 'lost' }
  /** The machine it ran on rebooted: its process is gone. `resumable` when its conversation can be resumed. */
  | { type: 'target-rebooted'; target: string; resumable: boolean }
  /** The connection to its machine dropped and its run ended with it; the machine answers again. */
  | { type: 'connection-lost'; target: string; resumable: boolean }
  /** Its objective was marked done (the manager's own call). */
  | { type: 'objective-done' }
  /**
   * Its start was cut off by the connection to its machine (a channel closed, a drop): nothing of it runs
   * there (what was left is ended before the next start), and it starts again.
   */
  | { type: 'launch-interrupted'; target: string; reason: string }
  /** It could not run at all: no such agent, a workspace that could not be prepared, a launch error. */
  | { type: 'could-not-run'; reason: string };

export interface SessionFactSubject {
  status: SessionStatus;
  role: SessionRole;
}

/** The decided change: a new status and why. `null` means the fact changes nothing. */
export type StatusChange = { status: SessionStatus; reason: string | null } | null;

const inRun = (status: SessionStatus) => activeSessionStatuses.includes(status);

export const idleReasons = {
  answer: 'waiting for your answer',
  idle: 'idle: waiting for workers or messages',
  exhausted: 'usage exhausted; waiting for the agent or its fallback',
} as const;

/**
 * The one place that decides a session's status. Pure: the session's status and role, and a fact. A
 * terminal status never changes; a fact that does not apply to the current status changes nothing (a late
 * exit of a run orcha stopped on purpose, a completion after a cancel). Every change it returns is a
 * transition `sessionMachine` allows.
 */
export function nextSessionStatus(session: SessionFactSubject, fact: SessionFact): StatusChange {
  const from = session.status;
  if (sessionMachine.isTerminal(from)) return null;
  const change = decide(session, fact);
  if (!change || change.status === from || !sessionMachine.canTransition(from, change.status)) return null;
  return change;
}

function decide({ status, role }: SessionFactSubject, fact: SessionFact): StatusChange {
  const waiting = status === 'queued' || status === 'waiting_capacity';
  switch (fact.type) {
    case 'slot-claimed':
      return waiting ? { status: 'starting', reason: null } : null;
    case 'no-slot':
      return status === 'queued' ? { status: 'waiting_capacity', reason: fact.reason } : null;
    case 'dependency-ended':
      return waiting || status === 'paused'
        ? { status: 'canceled', reason: `dependency ${fact.dependencyId} ${fact.status}` }
        : null;
    case 'usage-exhausted':
      return waiting ? { status: 'paused', reason: fact.reason } : null;
    case 'usage-reset':
      return status === 'paused' ? { status: 'queued', reason: fact.reason } : null;
    case 'agent-switched':
      return inRun(status) || status === 'waiting_input' || status === 'paused'
        ? { status: 'queued', reason: fact.reason }
        : null;
    case 'process-started':
      return status === 'starting' ? { status: 'running', reason: null } : null;
    case 'turn-completed':
      if (status !== 'running') return null;
      if (fact.exhausted) return { status: 'queued', reason: idleReasons.exhausted };
      // The next message goes to the live process (interactive) or to the resumed run (after the exit).
      if (fact.pendingInput) return null;
      return afterWork(role, fact, fact.isError, fact.result);
    case 'process-exited':
      if (!inRun(status)) return null; // orcha decided first (idle, paused, requeued): the exit was expected
      if (fact.exhausted) return { status: 'queued', reason: idleReasons.exhausted };
      if (fact.reason === 'completed') {
        if (fact.pendingInput) return { status: 'queued', reason: 'continuing with new input' };
        return afterWork(role, fact, false, null);
      }
      return {
        status: 'failed',
        reason: (
          fact.lastError ?? `agent exited (${fact.reason}${fact.code !== null ? `, code ${fact.code}` : ''})`
        ).slice(0, 500),
      };
    case 'stop-requested':
      switch (fact.why) {
        case 'cancel':
          return { status: 'canceled', reason: fact.reason };
        case 'pause':
          return { status: 'paused', reason: fact.reason };
        case 'restart':
          return inRun(status) || status === 'waiting_input'
            ? { status: 'queued', reason: fact.reason }
            : null;
        case 'shutdown':
          return inRun(status) ? { status: 'queued', reason: fact.reason } : null;
        default:
          return null;
      }
    case 'input-pending':
      return status === 'waiting_input' || status === 'paused'
        ? { status: 'queued', reason: 'new input' }
        : null;
    case 'question-answered':
      if (fact.kind !== 'loop_guard' && fact.kind !== 'usage_exhausted' && fact.kind !== 'budget')
        return null;
      if (fact.cancel) return { status: 'canceled', reason: `canceled by the person (${fact.kind})` };
      return status === 'paused' ? { status: 'queued', reason: 'resumed by the person' } : null;
    case 'restart-found-no-process':
      if (!inRun(status)) return null;
      switch (fact.conversation) {
        case 'resumable':
          return { status: 'queued', reason: 'orcha restarted; resuming the conversation' };
        case 'unstarted':
          return { status: 'queued', reason: 'orcha restarted before the agent began; starting it again' };
        case 'lost':
          return {
            status: 'failed',
            reason: 'orcha restarted and the agent process was gone (nothing to resume)',
          };
        default: {
          const unknown: never = fact.conversation;
          throw new Error(`unknown conversation state ${String(unknown)}`);
        }
      }
    case 'target-rebooted':
      if (!inRun(status)) return null;
      return {
        status: 'queued',
        reason: fact.resumable
          ? `target ${fact.target} rebooted; resuming the conversation there`
          : `target ${fact.target} rebooted; starting again (nothing to resume)`,
      };
    case 'connection-lost':
      if (!inRun(status)) return null;
      return fact.resumable
        ? { status: 'queued', reason: `lost the connection to ${fact.target}; resuming the conversation` }
        : {
            status: 'failed',
            reason: `lost the connection to ${fact.target} and had no conversation to resume`,
          };
    case 'objective-done':
      return inRun(status) || status === 'waiting_input'
        ? { status: 'completed', reason: null }
        : { status: 'canceled', reason: 'the objective is done' };
    case 'launch-interrupted':
      return status === 'starting'
        ? {
            status: 'queued',
            reason:
              `lost the connection to ${fact.target} while starting (${fact.reason}); starting again`.slice(
                0,
                500,
              ),
          }
        : null;
    case 'could-not-run':
      return { status: 'failed', reason: fact.reason.slice(0, 500) };
    default: {
      const unknown: never = fact;
      throw new Error(`unknown session fact ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A turn that ended well: a worker is done unless it waits for the person's answer; a manager (or a worker
 * waiting for an answer) goes idle and gives its slot back until a message or answer arrives.
 */
function afterWork(
  role: SessionRole,
  context: TurnContext,
  isError: boolean,
  result: string | null,
): StatusChange {
  if (role === 'worker' && !context.openQuestion) {
    return isError
      ? { status: 'failed', reason: (result ?? 'the agent reported an error').slice(0, 500) }
      : { status: 'completed', reason: null };
  }
  return { status: 'waiting_input', reason: context.openQuestion ? idleReasons.answer : idleReasons.idle };
}
