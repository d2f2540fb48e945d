import { OrchaError, sessionMachine } from '@orcha/model';
import type { Context } from './context.js';
import { setStatus } from './session-control.js';

/** How a message reached its session. */
export type Delivery = 'live' | 'restart' | 'queued';

/**
 * Delivers a message to a session. An interactive run gets it on its live process; a noninteractive run is
 * stopped and resumed on the same conversation with the message; a session without a process gets it when
 * it (re)starts. The message is written to the transcript first, so it is never lost.
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
  ctx.store.appendMessages(sessionId, [{ at: ctx.clock(), kind: 'user', text, data: { origin } }]);
  const live = ctx.runs.get(sessionId);
  if (
    live &&
    live.stopping === null &&
    (session.status === 'running' || session.status === 'waiting_input')
  ) {
    if (live.interactivity === 'interactive') {
      await live.run.send(text);
      if (session.status === 'waiting_input') setStatus(ctx, sessionId, 'running', null);
      return 'live';
    }
    queue(ctx, sessionId, text);
    live.stopping = 'restart';
    await live.run.cancel();
    ctx.wake();
    return 'restart';
  }
  queue(ctx, sessionId, text);
  if (!live && (session.status === 'waiting_input' || session.status === 'paused')) {
    setStatus(ctx, sessionId, 'queued', 'new input');
  }
  ctx.wake();
  return 'queued';
}

function queue(ctx: Context, sessionId: string, text: string): void {
  ctx.store.queueInput(sessionId, text);
}
