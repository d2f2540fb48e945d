import { emptyGuardCounters, OrchaError, type Question, type Session, sessionMachine } from '@orcha/model';
import { answerBudget } from './budgets.js';
import type { Context } from './context.js';
import { cancelObjective } from './objective-ops.js';
import { cancelSession } from './session-control.js';
import { report } from './session-status.js';
import { deliverInbox } from './steering.js';

/**
 * Opens a question from an agent (ask_user). The agent is told the answer as a message. The same question
 * asked again while it is open (an agent resumed after a restart asks again) is the open one, not a second.
 */
export function askUser(ctx: Context, sessionId: string, prompt: string, options: string[]): Question {
  const session = ctx.store.getSession(sessionId);
  const open = ctx.store
    .listQuestions({ status: 'open', sessionId })
    .find((question) => question.kind === 'ask_user' && question.prompt === prompt);
  if (open) return open;
  return ctx.store.openQuestion({
    objectiveId: session.objectiveId,
    sessionId,
    kind: 'ask_user',
    prompt,
    options,
  });
}

/**
 * Answers a question and resumes what waits on it: the asking agent gets the answer; a paused session
 * resumes with the answer as guidance (or is canceled on "cancel"); a closed-PR decision goes to the
 * manager; a lost manager is replaced (or its objective canceled). A message that carries the answer is
 * written with the answer in one transaction, so a crash cannot lose it.
 */
export async function answerQuestion(ctx: Context, questionId: string, answer: string): Promise<Question> {
  const asked = ctx.store.getQuestion(questionId);
  const session = asked.sessionId ? ctx.store.getSession(asked.sessionId) : null;
  const wantsCancel = answer.trim().toLowerCase() === 'cancel';
  const answerWith = (to: Session | null | undefined, text: string): Question => {
    const live = to && !sessionMachine.isTerminal(to.status);
    const question = ctx.store.answerQuestion(
      questionId,
      answer,
      live ? { sessionId: to.id, text } : undefined,
    );
    ctx.probe?.('question-answered');
    return question;
  };
  switch (asked.kind) {
    case 'ask_user': {
      const question = answerWith(session, `The person answered your question "${asked.prompt}": ${answer}`);
      if (session && !sessionMachine.isTerminal(session.status)) await deliverInbox(ctx, session.id);
      return question;
    }
    case 'loop_guard':
    case 'usage_exhausted': {
      // Guidance for a paused session reaches it in the answer's own transaction; a restart between the
      // answer and the resume resumes it then (`reconcile`).
      const guidance =
        session?.status === 'paused' && !wantsCancel && answer.trim().toLowerCase() !== 'resume'
          ? answer
          : null;
      const question = answerWith(guidance ? session : null, guidance ?? '');
      if (!session || sessionMachine.isTerminal(session.status)) return question;
      if (wantsCancel) {
        await cancelSession(ctx, session.id, `canceled by the person (${asked.kind})`);
        return question;
      }
      if (
        asked.kind === 'usage_exhausted' &&
        ctx.providers.has(answer.trim()) &&
        answer.trim() !== session.agent
      ) {
        ctx.store.updateSession(session.id, { agent: answer.trim(), providerSessionId: null });
      }
      // The person's answer approves what was spent so far: guards count afresh from here.
      ctx.store.updateSession(session.id, {
        counters: { ...emptyGuardCounters, modelCallBase: session.usage.modelCalls },
      });
      if (session.status === 'paused')
        report(ctx, session.id, { type: 'question-answered', kind: asked.kind, cancel: false });
      return question;
    }
    case 'budget': {
      const question = answerWith(null, '');
      await answerBudget(ctx, asked, answer);
      return question;
    }
    case 'permission':
      // The agent that asked waits on the question itself (permissions.ts).
      return answerWith(null, '');
    case 'pr_closed': {
      const manager = currentManager(ctx, asked.objectiveId);
      const question = answerWith(manager, `Decision on "${asked.prompt}": ${answer}`);
      if (manager) await deliverInbox(ctx, manager.id);
      return question;
    }
    case 'manager_lost': {
      const question = answerWith(null, '');
      if (ctx.store.getObjective(asked.objectiveId).status !== 'active') return question;
      if (wantsCancel) {
        await cancelObjective(ctx, asked.objectiveId, 'canceled by the person (its manager was lost)');
        return question;
      }
      replaceManager(ctx, asked.objectiveId, answer.trim());
      return question;
    }
    default: {
      const unknown: never = asked.kind;
      throw new OrchaError('internal', `unknown question kind ${String(unknown)}`);
    }
  }
}

/** The objective's manager still going, if any. */
export function currentManager(ctx: Context, objectiveId: string): Session | undefined {
  return ctx.store
    .listSessions({ objectiveId, role: 'manager' })
    .findLast((manager) => !sessionMachine.isTerminal(manager.status));
}

/**
 * A manager that could not run again (its agent is gone) leaves its objective with nobody to end it: the
 * person is asked whether to start a new manager (on which agent) or cancel the objective.
 */
export function askAboutLostManager(ctx: Context, manager: Session): Question {
  const agents = [...ctx.providers.keys()].slice(0, 9);
  return ctx.store.openQuestion({
    objectiveId: manager.objectiveId,
    sessionId: manager.id,
    kind: 'manager_lost',
    prompt: `The manager of this objective could not run again (${manager.statusReason ?? 'its agent is gone'}). Answer with the agent a new manager should use (${agents.join(', ')}), or "cancel" to cancel the objective.`,
    options: [...agents, 'cancel'],
  });
}

/** Starts a new manager for an objective whose manager was lost, on the agent the person named. */
function replaceManager(ctx: Context, objectiveId: string, answer: string): Session {
  const objective = ctx.store.getObjective(objectiveId);
  const agent = ctx.providers.has(answer) ? answer : ctx.config.defaultAgent;
  if (!ctx.providers.has(agent))
    throw new OrchaError(
      'invalid_argument',
      `unknown agent ${answer}; configured: ${[...ctx.providers.keys()].join(', ')}`,
    );
  const manager = ctx.store.createSession({
    objectiveId,
    role: 'manager',
    agent,
    // Titled and briefed as the store briefs an objective's first manager.
    title: `Manager: ${objective.title}`.slice(0, 200),
    prompt: `${objective.prompt ? `${objective.title}\n\n${objective.prompt}` : objective.title}\n\n(orcha: the objective's first manager was lost; read the sessions, notes and pull requests so far and carry on.)`,
    interactivity: ctx.providers.get(agent)!.interactivity,
  });
  ctx.wake();
  return manager;
}
