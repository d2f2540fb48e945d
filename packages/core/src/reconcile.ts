import type { AgentRun } from '@orcha/agent';
import { type ObjectiveStatus, type Session, sessionMachine } from '@orcha/model';
import { endOrphanedRuns } from './agent-executor.js';
import type { Context } from './context.js';
import { askAboutLostManager } from './questions.js';
import { report } from './session-status.js';
import { tellManager } from './worker-reports.js';

export interface ReconcileCounts {
  /** Runs that outlived orcha (tmux), followed again. */
  reattached: number;
  /** Sessions whose process was gone, resumed on their conversation. */
  resumed: number;
  /** Unstarted work (no conversation id yet), run again from its prompt and inbox. */
  restarted: number;
  /** Sessions that could be neither: failed, and whoever waits on them told. */
  failed: number;
  /** Finished workers whose manager had not been told before the crash. */
  told: number;
  /** Sessions of objectives that had already ended, ended too. */
  ended: number;
  /** Idle sessions with messages waiting, and paused ones whose question was answered, going on again. */
  woken: number;
}

/**
 * On start-up, makes every session's status true again and moves every objective again: nothing stays
 * running without a process, no accepted message is lost, nobody waits on something that will not come.
 * - Finished workers whose manager was not told are told now.
 * - Sessions of an objective that ended (mark_objective_done answered just before a crash) end too.
 * - Runs that outlived us (tmux) are re-attached. Detached headless agents left on SSH targets are ended
 *   (they answered to the orcha that is gone). Headless agents whose process died are resumed on their
 *   conversation when the agent gave its id; unstarted work (the agent never reached its first conversation
 *   id) runs again from its prompt and inbox; what can be neither fails, and whoever waits on it is told: a
 *   worker's manager (the worker-finished message), a manager's person (a question on its objective).
 * - Messages handed to a run that is gone wait in the inbox again; idle sessions (`waiting_input`, which
 *   hold no process by design) with messages waiting ask for a slot; a paused session whose question was
 *   answered just before the crash is resumed (or canceled) as the answer said. Permission questions of
 *   runs that are gone are withdrawn.
 */
export async function reconcile(
  ctx: Context,
  follow: (sessionId: string, run: AgentRun, interactivity: 'interactive' | 'noninteractive') => void,
): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = {
    reattached: 0,
    resumed: 0,
    restarted: 0,
    failed: 0,
    told: 0,
    ended: 0,
    woken: 0,
  };
  const { store } = ctx;
  await endOrphanedRuns(ctx);
  for (const worker of store.finishedWorkersUntold()) {
    await tellManager(ctx, worker.id);
    counts.told++;
  }
  const objectiveStatus = new Map<string, ObjectiveStatus>();
  const statusOf = (objectiveId: string) => {
    let status = objectiveStatus.get(objectiveId);
    if (!status) {
      status = store.getObjective(objectiveId).status;
      objectiveStatus.set(objectiveId, status);
    }
    return status;
  };
  // Messages handed to runs the crash ended; read once, as most sessions have none.
  const handed = new Set(store.sessionsWithHandedInput());
  const requeue = (sessionId: string) => {
    if (handed.has(sessionId)) store.requeueInput(sessionId);
  };
  const open = store.listSessions({
    statuses: ['queued', 'waiting_capacity', 'starting', 'running', 'waiting_input', 'paused'],
  });
  // Runs that outlived us first (this waits on their terminals); then everything else in one transaction.
  const reattached = new Set<string>();
  for (const session of open) {
    if (statusOf(session.objectiveId) !== 'active' || !holdsSlot(session)) continue;
    if (await reattach(ctx, session, follow)) reattached.add(session.id);
  }
  counts.reattached = reattached.size;
  const lost: Session[] = [];
  store.batch(() => {
    for (const session of open) {
      const objective = statusOf(session.objectiveId);
      if (objective !== 'active') {
        endWithObjective(ctx, session, objective);
        counts.ended++;
      } else if (holdsSlot(session) && !reattached.has(session.id)) {
        // What the lost run was handed and did not answer goes to the next run.
        requeue(session.id);
        const provider = ctx.providers.get(session.agent);
        const conversation = !provider ? 'lost' : session.providerSessionId ? 'resumable' : 'unstarted';
        const changed = report(ctx, session.id, { type: 'restart-found-no-process', conversation });
        if (conversation === 'resumable') counts.resumed++;
        else if (conversation === 'unstarted') counts.restarted++;
        else {
          counts.failed++;
          if (changed) lost.push(changed);
        }
      } else if (session.status === 'waiting_input') {
        requeue(session.id);
        if (store.pendingInputCount(session.id) > 0 && report(ctx, session.id, { type: 'input-pending' }))
          counts.woken++;
      } else if (session.status === 'paused' && resumeAnswered(ctx, session)) {
        counts.woken++;
      }
    }
    // A permission question is waited on by the run that asked it: after a crash nobody waits on it.
    for (const question of store.listQuestions({ status: 'open' }))
      if (question.kind === 'permission') store.withdrawQuestion(question.id);
    for (const [objectiveId, status] of objectiveStatus) {
      if (status === 'active') continue;
      for (const question of store.listQuestions({ status: 'open', objectiveId }))
        store.withdrawQuestion(question.id);
    }
    // A failed worker's manager hears of it from the status change; a manager's objective needs the person.
    for (const session of lost)
      if (session.role === 'manager' && sessionMachine.isTerminal(session.status))
        askAboutLostManager(ctx, session);
  });
  ctx.wake();
  return counts;
}

/**
 * A paused session always has its question open; one whose question was answered just before the crash (the
 * answer written, the session not yet resumed or canceled) is resumed or canceled now, as the answer said.
 */
function resumeAnswered(ctx: Context, session: Session): boolean {
  const last = ctx.store.listQuestions({ sessionId: session.id }).at(-1);
  if (last?.status !== 'answered' || (last.kind !== 'loop_guard' && last.kind !== 'usage_exhausted'))
    return false;
  const cancel = last.answer?.trim().toLowerCase() === 'cancel';
  return report(ctx, session.id, { type: 'question-answered', kind: last.kind, cancel }) !== null;
}

const holdsSlot = (session: Session) => session.status === 'starting' || session.status === 'running';

/** Follows a run that outlived orcha (tmux) again; false when there is none. */
async function reattach(
  ctx: Context,
  session: Session,
  follow: (sessionId: string, run: AgentRun, interactivity: 'interactive' | 'noninteractive') => void,
): Promise<boolean> {
  const provider = ctx.providers.get(session.agent);
  const target = session.targetId ? ctx.store.getTarget(session.targetId) : null;
  if (!provider?.reattach || !target || !session.attachName) return false;
  const workspace = session.workspaceId ? ctx.store.getWorkspace(session.workspaceId) : null;
  const run = await provider
    .reattach({
      sessionId: session.id,
      attachName: session.attachName,
      prompt: session.prompt,
      cwd: workspace?.path ?? target.workRoot,
      executor: ctx.executorFor(target),
    })
    .catch(() => null);
  if (!run) return false;
  follow(session.id, run, provider.interactivity);
  return true;
}

/**
 * The objective ended just before the crash, before its sessions were ended: its manager completes (when it
 * marked the objective done) and the rest is canceled, as `markObjectiveDone` and `cancelObjective` do. No
 * process is left to stop.
 */
function endWithObjective(ctx: Context, session: Session, objective: ObjectiveStatus): void {
  if (objective === 'done' && session.role === 'manager') {
    const summary = ctx.store.getObjective(session.objectiveId).summary;
    if (summary && !session.result) ctx.store.updateSession(session.id, { result: summary });
    if (report(ctx, session.id, { type: 'objective-done' })) return;
  }
  report(ctx, session.id, { type: 'stop-requested', why: 'cancel', reason: `the objective is ${objective}` });
}
