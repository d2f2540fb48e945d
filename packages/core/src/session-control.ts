import {
  isOrchaError,
  type QuestionKind,
  type Session,
  type SessionStatus,
  sessionMachine,
} from '@orcha/model';
import type { Context, LiveRun } from './context.js';

/**
 * Moves a session to a new status. A transition the model forbids — a late completion of canceled work,
 * say — is refused by the store inside its transaction; here that means "someone else decided first", so it
 * returns null instead of throwing.
 */
export function setStatus(
  ctx: Context,
  sessionId: string,
  to: SessionStatus,
  reason: string | null,
): Session | null {
  try {
    return ctx.store.updateSessionStatus(sessionId, to, { reason });
  } catch (error) {
    if (isOrchaError(error, 'invalid_transition')) {
      ctx.log('info', `ignored late ${to} for session ${sessionId}`, { reason });
      return null;
    }
    throw error;
  }
}

/** Stops a live run on purpose; its exit is then read as `why`, not as the agent's own ending. */
export async function stopRun(
  ctx: Context,
  sessionId: string,
  why: NonNullable<LiveRun['stopping']>,
): Promise<void> {
  const live = ctx.runs.get(sessionId);
  if (!live) return;
  live.stopping ??= why;
  await live.run.cancel();
}

export async function cancelSession(ctx: Context, sessionId: string, reason: string): Promise<Session> {
  const session = ctx.store.getSession(sessionId);
  if (sessionMachine.isTerminal(session.status)) return session;
  const canceled = setStatus(ctx, sessionId, 'canceled', reason) ?? ctx.store.getSession(sessionId);
  ctx.store.dropInput(sessionId);
  await stopRun(ctx, sessionId, 'cancel');
  ctx.wake();
  return canceled;
}

/** Pauses a session, stops its process and asks the person what to do. */
export async function pauseSession(
  ctx: Context,
  session: Session,
  reason: string,
  question: { kind: QuestionKind; prompt: string; options: string[] },
): Promise<void> {
  if (!setStatus(ctx, session.id, 'paused', reason)) return;
  ctx.store.openQuestion({ objectiveId: session.objectiveId, sessionId: session.id, ...question });
  await stopRun(ctx, session.id, 'pause');
}
