import {
  addSpent,
  type BudgetDimension,
  type BudgetLimits,
  type BudgetSpent,
  budgetLevel,
  budgetUnit,
  clampLimits,
  describeBudget,
  exhaustedDimensions,
  isLimited,
  limitsWithin,
  noSpending,
  type Objective,
  OrchaError,
  type Question,
  raiseLimit,
  remaining,
  type Session,
  sessionMachine,
  spentOf,
} from '@orcha/model';
import type { Context } from './context.js';
import { cancelSession, pauseSession, stopRun } from './session-control.js';
import { report } from './session-status.js';

/**
 * Budgets that hold. Providers report cumulative usage as they go; after each report the session's and its
 * objective's spending is compared with their budgets. At 80 % the level is recorded (a `budget-change`
 * event, which the notifier turns into a notification); at 100 % the session — or, for the objective's
 * budget, every session of the objective still running — is paused with a `budget:` reason before its next
 * model call (the run is interrupted: claude's interrupt, codex's cancel, a tmux kill), and one question
 * offers "add N" or "stop". A session does not start while a budget it falls under is spent.
 */

const minute = 60_000;

/** Marks a status reason as a budget pause: the sessions an "add N" resumes. */
export const budgetReasonPrefix = 'budget: ';

export function sessionSpent(session: Session, now: number): BudgetSpent {
  return spentOf(session.usage, session.startedAt === null ? 0 : (now - session.startedAt) / minute);
}

export function objectiveSpent(ctx: Context, objective: Objective): BudgetSpent {
  let spent = { ...noSpending, minutes: (ctx.clock() - objective.createdAt) / minute };
  for (const session of ctx.store.listSessions({ objectiveId: objective.id }))
    spent = addSpent(spent, { ...spentOf(session.usage, 0) });
  return spent;
}

/** What the objective has left to give its sessions; null when it has no budget. */
export function objectiveRemaining(ctx: Context, objective: Objective): BudgetLimits | null {
  return objective.budget ? remaining(objective.budget, objectiveSpent(ctx, objective)) : null;
}

/** An objective's budget: the one asked for, else the configured default. */
export function objectiveBudget(
  ctx: Context,
  requested: BudgetLimits | null | undefined,
): BudgetLimits | null {
  const budget = requested ?? ctx.config.budgets.objective ?? null;
  return budget && isLimited(budget) ? budget : null;
}

/**
 * A new session's budget: asking for more than its objective has left is refused with a clear error; the
 * configured default is lowered to what is left. Spawning under a spent objective budget is refused.
 */
export function sessionBudget(
  ctx: Context,
  objective: Objective,
  requested: BudgetLimits | null | undefined,
): BudgetLimits | null {
  const left = objectiveRemaining(ctx, objective);
  if (
    left &&
    objective.budget &&
    exhaustedDimensions(objective.budget, objectiveSpent(ctx, objective)).length
  )
    throw new OrchaError(
      'conflict',
      `the objective's budget is spent (${describeBudget(objective.budget, objectiveSpent(ctx, objective))}); no session can be started until the person adds to it`,
    );
  if (requested && isLimited(requested)) {
    if (!left) return requested;
    const fitted = limitsWithin(requested, left);
    if (!fitted.ok)
      throw new OrchaError(
        'invalid_argument',
        `budget.${fitted.dimension} ${fitted.requested} is more than the objective has left (${round(fitted.remaining)} ${budgetUnit(fitted.dimension)}); ask for at most that`,
      );
    return fitted.limits;
  }
  const fallback = ctx.config.budgets.session;
  if (!fallback || !isLimited(fallback)) return null;
  return left ? clampLimits(fallback, left) : fallback;
}

const round = (value: number) => Math.round(value * 100) / 100;

interface Verdict {
  scope: 'objective' | 'session';
  spent: BudgetSpent;
  limits: BudgetLimits;
  dimensions: BudgetDimension[];
}

/**
 * Records the thresholds reached by a session's and its objective's spending, and returns the budget that
 * is spent, if any (the objective's first).
 */
function assess(ctx: Context, session: Session): Verdict | null {
  const objective = ctx.store.getObjective(session.objectiveId);
  let verdict: Verdict | null = null;
  if (objective.budget) {
    const spent = objectiveSpent(ctx, objective);
    const level = budgetLevel(objective.budget, spent);
    if (level > objective.budgetLevel) ctx.store.setBudget({ objectiveId: objective.id }, { level });
    const dimensions = exhaustedDimensions(objective.budget, spent);
    if (dimensions.length) verdict = { scope: 'objective', spent, limits: objective.budget, dimensions };
  }
  if (session.budget) {
    const spent = sessionSpent(session, ctx.clock());
    const level = budgetLevel(session.budget, spent);
    if (level > session.budgetLevel)
      ctx.store.setBudget({ objectiveId: session.objectiveId, sessionId: session.id }, { level });
    const dimensions = exhaustedDimensions(session.budget, spent);
    if (!verdict && dimensions.length)
      verdict = { scope: 'session', spent, limits: session.budget, dimensions };
  }
  return verdict;
}

/**
 * After a usage report (or before a run starts): when a budget is spent, pauses what it covers and asks the
 * person once. Returns whether the session was stopped.
 */
export async function enforceBudget(
  ctx: Context,
  sessionId: string,
  beforeStop: () => void = () => {},
): Promise<boolean> {
  const session = ctx.store.getSession(sessionId);
  const verdict = assess(ctx, session);
  if (!verdict) return false;
  beforeStop();
  const reason = `${budgetReasonPrefix}${verdict.scope === 'objective' ? "the objective's" : 'its'} budget is spent (${describeBudget(verdict.limits, verdict.spent)})`;
  // The session whose report spent the budget is asked about; the others of its objective stop with it.
  const covered = [
    session,
    ...(verdict.scope === 'objective'
      ? ctx.store
          .listSessions({ objectiveId: session.objectiveId })
          .filter(
            (other) => other.id !== session.id && (other.status === 'running' || other.status === 'starting'),
          )
      : []),
  ];
  const asked = ctx.store
    .listQuestions({ status: 'open', objectiveId: session.objectiveId })
    .some((question) => question.kind === 'budget');
  let first = !asked;
  for (const other of covered) {
    const current = ctx.store.getSession(other.id);
    if (current.status === 'paused' || sessionMachine.isTerminal(current.status)) continue;
    const dimension = verdict.dimensions[0]!;
    const suggestion = suggestedAddition(verdict.limits, dimension);
    const question = first
      ? {
          kind: 'budget' as const,
          prompt: `${verdict.scope === 'objective' ? `The objective's budget` : `The budget of session "${current.title}"`} is spent: ${describeBudget(verdict.limits, verdict.spent)}. Answer "add N" to raise the ${budgetUnit(dimension)} limit by N and resume, or "stop".`,
          options: [`add ${suggestion}`, 'stop'],
        }
      : null;
    if (question) {
      await pauseSession(ctx, current, reason, question);
      first = false;
    } else if (report(ctx, current.id, { type: 'stop-requested', why: 'pause', reason })) {
      await stopRun(ctx, current.id);
    }
  }
  return true;
}

function suggestedAddition(limits: BudgetLimits, dimension: BudgetDimension): number {
  const limit = limits[dimension] ?? 1;
  return dimension === 'usd' || dimension === 'minutes'
    ? round(limit / 2)
    : Math.max(1, Math.round(limit / 2));
}

/**
 * The person's answer to a budget question: "stop" cancels the sessions paused for the budget; "add N"
 * raises the spent limit (the objective's, or the asking session's) by N and resumes them.
 */
export async function answerBudget(ctx: Context, question: Question, answer: string): Promise<void> {
  const paused = ctx.store
    .listSessions({ objectiveId: question.objectiveId, statuses: ['paused'] })
    .filter((session) => session.statusReason?.startsWith(budgetReasonPrefix));
  const text = answer.trim().toLowerCase();
  if (text === 'stop' || text === 'cancel') {
    for (const session of paused) await cancelSession(ctx, session.id, 'stopped by the person at its budget');
    return;
  }
  const match = /^add\s+\$?(\d+(?:\.\d+)?)/.exec(text);
  if (!match) return; // any other answer leaves them paused; the question is answered
  const amount = Number(match[1]);
  const objective = ctx.store.getObjective(question.objectiveId);
  const asking = question.sessionId ? ctx.store.getSession(question.sessionId) : null;
  if (objective.budget && exhaustedDimensions(objective.budget, objectiveSpent(ctx, objective)).length) {
    let raised = objective.budget;
    for (const dimension of exhaustedDimensions(objective.budget, objectiveSpent(ctx, objective)))
      raised = raiseLimit(raised, dimension, amount);
    const level = budgetLevel(raised, objectiveSpent(ctx, objective));
    ctx.store.setBudget({ objectiveId: objective.id }, { budget: raised, level });
  }
  if (asking?.budget) {
    const spent = sessionSpent(asking, ctx.clock());
    let raised = asking.budget;
    for (const dimension of exhaustedDimensions(asking.budget, spent))
      raised = raiseLimit(raised, dimension, amount);
    ctx.store.setBudget(
      { objectiveId: asking.objectiveId, sessionId: asking.id },
      { budget: raised, level: budgetLevel(raised, spent) },
    );
  }
  for (const session of paused) {
    if (assessOnly(ctx, ctx.store.getSession(session.id))) continue; // still over another budget
    report(ctx, session.id, { type: 'question-answered', kind: 'budget', cancel: false });
  }
}

/** Whether a budget the session falls under is spent, without recording anything. */
function assessOnly(ctx: Context, session: Session): boolean {
  const objective = ctx.store.getObjective(session.objectiveId);
  if (objective.budget && exhaustedDimensions(objective.budget, objectiveSpent(ctx, objective)).length)
    return true;
  return Boolean(
    session.budget && exhaustedDimensions(session.budget, sessionSpent(session, ctx.clock())).length,
  );
}

/** The longest a timer may wait (setTimeout's limit): a later deadline is looked at again then. */
const longestTimerMs = 2 ** 31 - 1;

/**
 * Milliseconds until a minutes limit the session falls under (its own, from its start, or its objective's,
 * from its creation) runs out; null when neither has one.
 */
export function minutesLeftMs(ctx: Context, session: Session): number | null {
  const now = ctx.clock();
  const left: number[] = [];
  const objective = ctx.store.getObjective(session.objectiveId);
  if (objective.budget?.minutes !== undefined)
    left.push(objective.createdAt + objective.budget.minutes * minute - now);
  if (session.budget?.minutes !== undefined && session.startedAt !== null)
    left.push(session.startedAt + session.budget.minutes * minute - now);
  return left.length ? Math.max(0, Math.min(...left)) : null;
}

/**
 * Wall-clock budgets hold without any usage report (a TUI reports none mid-turn, a silent agent none at
 * all): while a run is current, a timer fires when a minutes limit runs out and enforces it like a report
 * would. A limit raised meanwhile re-arms it. Returns what stops the timer.
 */
export function armClockBudget(ctx: Context, sessionId: string, current: () => boolean): () => void {
  let timer: NodeJS.Timeout | null = null;
  let disarmed = false;
  const arm = () => {
    if (disarmed || !current()) return;
    const left = minutesLeftMs(ctx, ctx.store.getSession(sessionId));
    if (left === null) return;
    timer = setTimeout(fire, Math.min(longestTimerMs, Math.max(1, left)));
    timer.unref?.();
  };
  const fire = () => {
    timer = null;
    if (disarmed || !current()) return;
    void enforceBudget(ctx, sessionId).then(
      (stopped) => {
        if (!stopped) arm();
      },
      (error: unknown) =>
        ctx.log('error', 'wall-clock budget check failed', { sessionId, error: String(error) }),
    );
  };
  arm();
  return () => {
    disarmed = true;
    if (timer) clearTimeout(timer);
  };
}
