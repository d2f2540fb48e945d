import { emptyGuardCounters, OrchaError, type Question, sessionMachine } from '@orcha/model';
import { answerBudget } from './budgets.js';
import type { Context } from './context.js';
import { cancelSession } from './session-control.js';
import { report } from './session-status.js';
import { steer } from './steering.js';

/** Opens a question from an agent (ask_user). The agent is told the answer as a message. */
export function askUser(ctx: Context, sessionId: string, prompt: string, options: string[]): Question {
  const session = ctx.store.getSession(sessionId);
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
 * resumes with the answer as guidance (or is canceled on "cancel"); a closed-PR decision goes to the manager.
 */
export async function answerQuestion(ctx: Context, questionId: string, answer: string): Promise<Question> {
  const question = ctx.store.answerQuestion(questionId, answer);
  const session = question.sessionId ? ctx.store.getSession(question.sessionId) : null;
  const wantsCancel = answer.trim().toLowerCase() === 'cancel';
  switch (question.kind) {
    case 'ask_user':
      if (session && !sessionMachine.isTerminal(session.status)) {
        await steer(
          ctx,
          session.id,
          `The person answered your question "${question.prompt}": ${answer}`,
          'user',
        );
      }
      break;
    case 'loop_guard':
    case 'usage_exhausted':
      if (!session || sessionMachine.isTerminal(session.status)) break;
      if (wantsCancel) {
        await cancelSession(ctx, session.id, `canceled by the person (${question.kind})`);
        break;
      }
      if (
        question.kind === 'usage_exhausted' &&
        ctx.providers.has(answer.trim()) &&
        answer.trim() !== session.agent
      ) {
        ctx.store.updateSession(session.id, { agent: answer.trim(), providerSessionId: null });
      }
      // The person's answer approves what was spent so far: guards count afresh from here.
      ctx.store.updateSession(session.id, {
        counters: { ...emptyGuardCounters, modelCallBase: session.usage.modelCalls },
      });
      if (session.status === 'paused') {
        const guidance = answer.trim().toLowerCase() === 'resume' ? null : answer;
        if (guidance) ctx.store.queueInput(session.id, guidance);
        report(ctx, session.id, { type: 'question-answered', kind: question.kind, cancel: false });
      }
      break;
    case 'budget':
      await answerBudget(ctx, question, answer);
      break;
    case 'permission':
      break; // the agent that asked waits on the question itself (permissions.ts)
    case 'pr_closed': {
      const manager = ctx.store.listSessions({ objectiveId: question.objectiveId, role: 'manager' })[0];
      if (manager && !sessionMachine.isTerminal(manager.status)) {
        await steer(ctx, manager.id, `Decision on "${question.prompt}": ${answer}`, 'user');
      }
      break;
    }
    default: {
      const unknown: never = question.kind;
      throw new OrchaError('internal', `unknown question kind ${String(unknown)}`);
    }
  }
  return question;
}
