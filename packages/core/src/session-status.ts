import {
  activeSessionStatuses,
  isOrchaError,
  nextSessionStatus,
  type Session,
  type SessionFact,
  type SessionStatus,
  type TurnContext,
} from '@orcha/model';
import type { Context } from './context.js';

/**
 * The one module of the core that changes a session's status. Systems report what happened (a fact);
 * `nextSessionStatus` decides what it means, and the decision is written in one store transaction that also
 * checks the status it was decided from is still current. Returns the updated session, or null when the fact
 * changed nothing.
 */
export function report(ctx: Context, sessionId: string, fact: SessionFact): Session | null {
  const session = ctx.store.getSession(sessionId);
  const change = nextSessionStatus(session, fact);
  if (!change) return null;
  try {
    const updated = ctx.store.updateSessionStatus(sessionId, change.status, {
      reason: change.reason,
      expectedFrom: session.status,
    });
    if (mayFreeWork(updated.status)) ctx.wake();
    return updated;
  } catch (error) {
    if (isOrchaError(error, 'invalid_transition')) {
      ctx.log('info', `ignored ${fact.type} for session ${sessionId}: its status moved on`, {});
      return null;
    }
    throw error;
  }
}

/**
 * Whether a session entering `status` can let the scheduler start something: it freed a slot or is new
 * work. Entering a running state or the capacity wait cannot, so it does not cost a pass over the queue.
 */
function mayFreeWork(status: SessionStatus): boolean {
  return status !== 'waiting_capacity' && !activeSessionStatuses.includes(status);
}

/**
 * What a session waits on right now, read for a turn-completed or process-exited fact. Input is pending when
 * it is queued for the session or when its live process still owes turns for messages it was sent.
 */
export function turnContext(
  ctx: Context,
  sessionId: string,
  run: { exhausted: boolean; owedTurns: number },
): TurnContext {
  return {
    pendingInput: run.owedTurns > 0 || ctx.store.pendingInputCount(sessionId) > 0,
    openQuestion: awaitsAnswer(ctx, sessionId),
    exhausted: run.exhausted,
  };
}

/** A session whose question to the person is still open waits for the answer instead of finishing. */
function awaitsAnswer(ctx: Context, sessionId: string): boolean {
  return ctx.store
    .listQuestions({ status: 'open', sessionId })
    .some((question) => question.kind === 'ask_user');
}
