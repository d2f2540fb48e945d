import type { Executor } from '@orcha/exec';
import {
  buildHandoff,
  estimateTokens,
  type HandoffWorkspace,
  OrchaError,
  type Session,
  sessionMachine,
} from '@orcha/model';
import type { Context } from './context.js';
import { stopRun } from './session-control.js';
import { report } from './session-status.js';
import { steer } from './steering.js';
import { exhaustedUntil } from './usage.js';

/** Why a session moved when the person moved it ("Continue on…"): they are not told what they did. */
export const personSwitchReason = 'switched by the person';

/** How far back in a transcript a switch is looked for, and how many messages a handoff reads. */
const tailMessages = 400;

/**
 * Moves a session to another agent: the store records the switch (agent, conversation cleared, a transcript
 * message, a `session-agent-switch` event) in one transaction, and a worker's manager is told which agent
 * carries on. The session's workspace stays as it is; its next start on `to` gets a handoff prompt
 * (`handoffPrompt`). The caller decides when the session starts again.
 */
export function switchAgent(ctx: Context, session: Session, to: string, reason: string): Session {
  const switched = ctx.store.switchSessionAgent(session.id, { to, reason });
  // An idle process of the old agent must not take the next message: it goes (detached at once).
  void stopRun(ctx, session.id);
  ctx.log('info', `session ${session.id} continues on ${to} (was ${session.agent}): ${reason}`);
  if (session.role === 'worker' && session.parentId) void tellManager(ctx, session, to, reason);
  return switched;
}

async function tellManager(ctx: Context, worker: Session, to: string, reason: string): Promise<void> {
  try {
    const manager = ctx.store.getSession(worker.parentId!);
    if (sessionMachine.isTerminal(manager.status)) return;
    await steer(
      ctx,
      manager.id,
      `Worker ${worker.id} "${worker.title}" continues on ${to} (was ${worker.agent}): ${reason}. It carries on with the same task in the same workspace; nothing is needed from you.`,
      'orcha',
    );
  } catch (error) {
    ctx.log('warn', 'could not tell the manager a worker changed agent', {
      sessionId: worker.id,
      error: String(error),
    });
  }
}

/** The reason a session leaves an exhausted agent, for the transcript, the feed and its manager. */
export function exhaustionReason(ctx: Context, agent: string): string {
  const until = exhaustedUntil(ctx, agent);
  return until === null
    ? `${agent} cannot take work now`
    : `${agent} is out of usage until ${new Date(until).toISOString()}`;
}

/**
 * The person moves a session to another agent by hand ("Continue on…"). A running session's process is
 * stopped first, so its exit is no fact about the session; the session then starts again on `to` in its
 * workspace, with a handoff. Refused, changing nothing: an unknown agent or the session's own
 * (`invalid_argument`), an exhausted one (`exhausted` — nothing runs on an exhausted account), a finished
 * session (`conflict`).
 */
export async function continueOn(ctx: Context, sessionId: string, to: string): Promise<Session> {
  const session = ctx.store.getSession(sessionId);
  if (sessionMachine.isTerminal(session.status))
    throw new OrchaError('conflict', `session ${sessionId} is ${session.status}; it cannot continue`);
  if (!ctx.providers.has(to)) {
    const names = [...ctx.providers.keys()].join(', ');
    throw new OrchaError('invalid_argument', `no agent named ${to} is configured (agents: ${names})`);
  }
  if (to === session.agent)
    throw new OrchaError('invalid_argument', `session ${sessionId} already runs on ${to}`);
  const until = exhaustedUntil(ctx, to);
  if (until !== null)
    throw new OrchaError('exhausted', `${to} is out of usage until ${new Date(until).toISOString()}`);
  await stopRun(ctx, sessionId);
  const switched = switchAgent(ctx, ctx.store.getSession(sessionId), to, personSwitchReason);
  // A session parked for usage no longer waits for its old agent.
  for (const question of ctx.store.listQuestions({ status: 'open', sessionId }))
    if (question.kind === 'usage_exhausted') ctx.store.withdrawQuestion(question.id);
  return report(ctx, sessionId, { type: 'agent-switched', reason: `continues on ${to}` }) ?? switched;
}

/**
 * The first prompt of a session starting on an agent it was switched to: the handoff built from its
 * transcript and its workspace (read through the target's Executor), bounded by `handoffTokenLimit`, and
 * recorded in the transcript as what the new agent was told. Null when the session did no work before its
 * latest switch, or has not switched (its prompt is then the usual first prompt).
 */
export async function handoffPrompt(
  ctx: Context,
  session: Session,
  executor: Executor,
  cwd: string,
  pending: readonly string[],
): Promise<string | null> {
  if (session.providerSessionId !== null || session.messageCount === 0) return null;
  const messages = ctx.store.listMessages(session.id, {
    after: Math.max(0, session.messageCount - tailMessages),
    limit: tailMessages,
  });
  const at = messages.findLastIndex((message) => message.data?.type === 'agent-switch');
  if (at < 0) return null;
  const before = messages.slice(0, at);
  if (!before.some((message) => message.kind !== 'system')) return null;
  const marker = messages[at]!.data!;
  const workspace = session.workspaceId ? ctx.store.getWorkspace(session.workspaceId) : null;
  const prompt = buildHandoff({
    title: session.title,
    task: session.prompt,
    role: session.role,
    from: String(marker.from),
    to: session.agent,
    reason: String(marker.reason),
    messages,
    workspace: await workspaceFacts(executor, cwd, workspace?.branch ?? null, workspace?.baseBranch ?? null),
    pending,
  });
  ctx.store.appendMessages(session.id, [
    {
      at: ctx.clock(),
      kind: 'system',
      text: prompt,
      data: { type: 'handoff', agent: session.agent, tokens: estimateTokens(prompt) },
    },
  ]);
  return prompt;
}

/** What git says of a workspace, through its target's Executor; parts that cannot be read are null. */
export async function workspaceFacts(
  executor: Executor,
  cwd: string,
  branch: string | null,
  baseBranch: string | null,
): Promise<HandoffWorkspace> {
  const git = async (args: string[]): Promise<string | null> => {
    try {
      const result = await executor.run('git', args, { cwd, timeoutMs: 15_000, maxOutputBytes: 256_000 });
      return result.code === 0 ? result.stdout : null;
    } catch {
      return null;
    }
  };
  const [status, diffStat, commits] = await Promise.all([
    git(['status', '--short']),
    git(['diff', '--stat', 'HEAD']),
    git(
      baseBranch
        ? ['log', '--oneline', '--no-decorate', `refs/remotes/origin/${baseBranch}..HEAD`]
        : ['log', '--oneline', '--no-decorate', '-20'],
    ),
  ]);
  return { path: cwd, branch, baseBranch, status, diffStat, commits };
}
