import { nextAgent, type Session } from '@orcha/model';
import type { Context } from './context.js';
import { report } from './session-status.js';

/** Without a reset time from the provider, an exhausted agent is left alone this long. */
const unknownResetMs = 60 * 60 * 1000;

/**
 * Records that an agent's usage is exhausted until `resetsAt`; it is never started again before then. A
 * shorter rest (a rate-limit cool-down) never cuts a longer one already recorded.
 */
export function markExhausted(ctx: Context, agent: string, resetsAt: number | null): number {
  const until = Math.max(resetsAt ?? ctx.clock() + unknownResetMs, exhaustedUntil(ctx, agent) ?? 0);
  ctx.store.setProviderExhausted(agent, until);
  ctx.log('warn', `agent ${agent} is out of usage until ${new Date(until).toISOString()}`);
  return until;
}

/** When an agent's exhausted usage resets; null when it can take work now. */
export function exhaustedUntil(ctx: Context, agent: string): number | null {
  const now = ctx.clock();
  const record = ctx.store.listProviderUsage().find((usage) => usage.provider === agent);
  return record?.exhaustedUntil && record.exhaustedUntil > now ? record.exhaustedUntil : null;
}

/**
 * The agent a session should run on now: its own, or the first agent of its fallback chains
 * (`config.fallbacks`, see `nextAgent`) that is configured and not exhausted. `exhaustedUntil` is set when
 * none can run. An exhausted agent is never chosen, so nothing is retried on an exhausted account.
 */
export function usableAgent(ctx: Context, agent: string): { name: string; exhaustedUntil: number | null } {
  const until = exhaustedUntil(ctx, agent);
  if (until === null) return { name: agent, exhaustedUntil: null };
  const next = nextAgent(
    ctx.config.fallbacks,
    agent,
    (candidate) => ctx.providers.has(candidate) && exhaustedUntil(ctx, candidate) === null,
  );
  return next ? { name: next, exhaustedUntil: null } : { name: agent, exhaustedUntil: until };
}

/** Parks a session whose agent (and fallbacks) are exhausted, and asks the person — once. */
export function parkForUsage(ctx: Context, session: Session, until: number): void {
  const reason = `usage of ${session.agent} exhausted until ${new Date(until).toISOString()}; resumes by itself then`;
  if (!report(ctx, session.id, { type: 'usage-exhausted', reason })) return;
  const asked = ctx.store
    .listQuestions({ status: 'open', sessionId: session.id })
    .some((question) => question.kind === 'usage_exhausted');
  if (!asked) {
    ctx.store.openQuestion({
      objectiveId: session.objectiveId,
      sessionId: session.id,
      kind: 'usage_exhausted',
      prompt: `${session.agent} has no usage left until ${new Date(until).toISOString()}. The session waits and resumes by itself then; answer "resume" to retry now or "cancel" to stop it.`,
      options: ['resume', 'cancel'],
    });
  }
}

/**
 * Sessions parked for usage go back to the queue once their agent (or a fallback) can run again. A session
 * counts as parked for usage while the last question it raised is a usage question.
 */
export function resumeParkedSessions(ctx: Context): void {
  for (const session of ctx.store.listSessions({ statuses: ['paused'] })) {
    const questions = ctx.store.listQuestions({ sessionId: session.id });
    const last = questions[questions.length - 1];
    if (last?.kind !== 'usage_exhausted') continue;
    if (usableAgent(ctx, session.agent).exhaustedUntil !== null) continue;
    if (last.status === 'open') ctx.store.withdrawQuestion(last.id);
    report(ctx, session.id, { type: 'usage-reset', reason: `usage of ${session.agent} reset; resuming` });
  }
}
