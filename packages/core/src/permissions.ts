import type { PermissionQuestion } from '@orcha/agent';
import { OrchaError } from '@orcha/model';
import type { Context } from './context.js';

/** The answers a permission question offers; anything but the first refuses. */
export const permissionAnswers = ['allow', 'deny'] as const;

/** What the person reads: who wants to do what, with the call's input in short. */
export function permissionPrompt(agent: string, request: PermissionQuestion): string {
  const input = request.input === null || request.input === undefined ? '' : JSON.stringify(request.input);
  const shown = input.length > 500 ? `${input.slice(0, 500)}…` : input;
  return `${agent} wants to run ${request.title}${shown ? `: ${shown}` : ''}. Allow it?`;
}

/**
 * An agent asks leave to run a tool (ACP agents under the `ask` policy): a question on the session's
 * objective, answered by the person. Resolves true only for "allow"; the agent waits meanwhile. When the
 * run ends first (`signal`), the question is withdrawn and the promise rejects.
 */
export function askPermission(
  ctx: Context,
  sessionId: string,
  request: PermissionQuestion,
  signal: AbortSignal,
): Promise<boolean> {
  const { store } = ctx;
  if (signal.aborted) return Promise.reject(new OrchaError('unavailable', 'the run ended'));
  const session = store.getSession(sessionId);
  const question = store.openQuestion({
    objectiveId: session.objectiveId,
    sessionId,
    kind: 'permission',
    prompt: permissionPrompt(session.agent, request),
    options: [...permissionAnswers],
  });
  return new Promise<boolean>((resolve, reject) => {
    const finish = () => {
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
    };
    const unsubscribe = store.subscribe((events) => {
      const settled = events.some(
        (event) => event.type === 'question-status-change' && event.questionId === question.id,
      );
      if (!settled) return;
      finish();
      const answered = store.getQuestion(question.id);
      resolve(answered.status === 'answered' && answered.answer?.trim().toLowerCase() === 'allow');
    });
    const onAbort = () => {
      finish();
      if (store.getQuestion(question.id).status === 'open') store.withdrawQuestion(question.id);
      reject(new OrchaError('unavailable', 'the run ended before the person answered'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
