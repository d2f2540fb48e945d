import { OrchaError, sessionMachine } from '@orcha/model';
import type { Context } from './context.js';
import { sendLive, stopRun } from './session-control.js';
import { report } from './session-status.js';

/** How a message reached its session. */
export type Delivery = 'live' | 'restart' | 'queued';

/**
 * Delivers a message to a session. It is written to the transcript and to the session's durable inbox first,
 * so it is never lost, then delivered (`deliverInbox`).
 */
export async function steer(
  ctx: Context,
  sessionId: string,
  text: string,
  origin: 'user' | 'orcha',
): Promise<Delivery> {
  const session = ctx.store.getSession(sessionId);
  if (sessionMachine.isTerminal(session.status)) {
    throw new OrchaError('conflict', `session ${sessionId} is ${session.status}; it takes no more messages`);
  }
  // One commit: whoever hears of the message (another replica holding the run) finds it in the inbox.
  ctx.store.batch(() => {
    ctx.store.appendMessages(sessionId, [{ at: ctx.clock(), kind: 'user', text, data: { origin } }]);
    ctx.store.queueInput(sessionId, text);
  });
  return deliverInbox(ctx, sessionId);
}

/**
 * Delivers what waits in a session's inbox. A running interactive run gets it on its live process; a running
 * noninteractive run is stopped and resumed on the same conversation with it. An idle or paused session asks
 * for a slot again and gets it when it has one: on its live process if an idle interactive one is still
 * alive, else in the run that resumes its conversation. Handed messages stay in the inbox until the run
 * answers them, so a run stopped (or a crash) before that gives them back.
 */
export async function deliverInbox(ctx: Context, sessionId: string): Promise<Delivery> {
  const session = ctx.store.getSession(sessionId);
  if (sessionMachine.isTerminal(session.status)) return 'queued';
  const live = ctx.runs.get(sessionId);
  if (live && session.status === 'running') {
    if (live.interactivity === 'interactive') {
      const pending = ctx.store.takeInput(sessionId);
      if (pending.length) await sendLive(live, pending.join('\n\n'));
      return 'live';
    }
    await stopRun(ctx, sessionId);
    report(ctx, sessionId, { type: 'stop-requested', why: 'restart', reason: 'restarting with new input' });
    return 'restart';
  }
  report(ctx, sessionId, { type: 'input-pending' });
  ctx.wake();
  // An idle interactive process still alive gets the message once its session has a slot again.
  return live?.interactivity === 'interactive' ? 'live' : 'queued';
}
