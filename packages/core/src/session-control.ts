import { type QuestionKind, type Session, sessionMachine } from '@orcha/model';
import type { Context, LiveRun } from './context.js';
import { report } from './session-status.js';

/**
 * Stops a session's live run on purpose and resolves once its process is gone. The run is detached first:
 * what it still reports goes to the transcript only, never to the session's status — the caller reports the
 * fact that made orcha stop it. Messages handed to the run and not yet answered go back to the session's
 * inbox for its next run. A new run of the session waits for this one to be gone (`ctx.exits`).
 */
export function stopRun(ctx: Context, sessionId: string): Promise<void> {
  const live = ctx.runs.get(sessionId);
  if (!live) return ctx.exits.get(sessionId) ?? Promise.resolve();
  ctx.runs.delete(sessionId);
  ctx.store.requeueInput(sessionId);
  const gone: Promise<void> = live.run
    .cancel()
    .then(() => live.run.wait())
    .then(
      () => {},
      (error) => ctx.log('warn', `could not stop the run of session ${sessionId}`, { error: String(error) }),
    )
    .finally(() => {
      if (ctx.exits.get(sessionId) === gone) ctx.exits.delete(sessionId);
    });
  ctx.exits.set(sessionId, gone);
  return gone;
}

/** Sends a message to a live interactive run; the agent owes a turn for it. */
export async function sendLive(live: LiveRun, text: string): Promise<void> {
  live.owedTurns++;
  await live.run.send(text);
}

export async function cancelSession(ctx: Context, sessionId: string, reason: string): Promise<Session> {
  const session = ctx.store.getSession(sessionId);
  if (sessionMachine.isTerminal(session.status)) return session;
  const canceled =
    report(ctx, sessionId, { type: 'stop-requested', why: 'cancel', reason }) ??
    ctx.store.getSession(sessionId);
  ctx.store.dropInput(sessionId);
  await stopRun(ctx, sessionId);
  return canceled;
}

/** Pauses a session, stops its process and asks the person what to do. */
export async function pauseSession(
  ctx: Context,
  session: Session,
  reason: string,
  question: { kind: QuestionKind; prompt: string; options: string[] },
): Promise<void> {
  if (!report(ctx, session.id, { type: 'stop-requested', why: 'pause', reason })) return;
  ctx.store.openQuestion({ objectiveId: session.objectiveId, sessionId: session.id, ...question });
  await stopRun(ctx, session.id);
}
