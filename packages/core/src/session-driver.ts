import type { AgentEvent, AgentRun } from '@orcha/agent';
import {
  emptyGuardCounters,
  errorKey,
  evaluateGuards,
  type GuardCounters,
  recordError,
  recordTurn,
  type Session,
  sessionMachine,
} from '@orcha/model';
import type { Context, LiveRun } from './context.js';
import { firstPrompt, resumePrompt, systemPrompt } from './prompts.js';
import { askUser } from './questions.js';
import { pauseSession, setStatus } from './session-control.js';
import { sessionReach } from './target-reach.js';
import type { TokenRegistry } from './tokens.js';
import { TranscriptBatch } from './transcript-batch.js';
import { markExhausted } from './usage.js';
import { commitAtTurnEnd } from './worker-commits.js';
import { ensureWorkspace } from './workspaces.js';

/**
 * Runs one session: prepares its workspace on its target, starts (or resumes) its agent through the target's
 * Executor, writes the agent's events to the transcript in batches, keeps status, usage and guard counters
 * current, and settles the session when the run ends. The target slot and locks are released by the store
 * when the status leaves the running states.
 */
export function createSessionDriver(ctx: Context, tokens: TokenRegistry) {
  /** Work in progress per session: preparing and starting a run, then following its events. */
  const inFlight = new Map<Promise<void>, string>();
  const track = (sessionId: string, work: Promise<void>) => {
    inFlight.set(work, sessionId);
    void work.finally(() => inFlight.delete(work));
  };
  const launch = (session: Session): void => {
    track(
      session.id,
      drive(ctx, tokens, session).catch((error) => {
        ctx.log('error', `session ${session.id} failed to run`, { error: String(error) });
        ctx.runs.delete(session.id);
        try {
          setStatus(
            ctx,
            session.id,
            'failed',
            `could not run: ${error instanceof Error ? error.message : String(error)}`,
          );
          ctx.wake();
        } catch (settleError) {
          ctx.log('error', `could not record that session ${session.id} failed`, {
            error: String(settleError),
          });
        }
      }),
    );
  };
  /** Follows a run that already exists (re-attached after a restart). */
  const follow = (session: Session, run: AgentRun, interactivity: LiveRun['interactivity']): void => {
    const live: LiveRun = { run, stopping: null, interactivity };
    ctx.runs.set(session.id, live);
    track(
      session.id,
      consume(ctx, session, live).catch((error) =>
        ctx.log('error', 'follow failed', { error: String(error) }),
      ),
    );
  };
  /**
   * Resolves once every run has settled, except runs that outlive orcha (tmux): those are left running and
   * are re-attached on the next start.
   */
  const idle = async (): Promise<void> => {
    const pending = () =>
      [...inFlight].filter(([, sessionId]) => !ctx.runs.get(sessionId)?.run.attachName).map(([work]) => work);
    for (let left = pending(); left.length > 0; left = pending()) await Promise.allSettled(left);
  };
  return { launch, follow, idle };
}

async function drive(ctx: Context, tokens: TokenRegistry, session: Session): Promise<void> {
  const { store } = ctx;
  const target = store.getTarget(session.targetId!);
  const executor = ctx.executorFor(target);
  const cwd = await ensureWorkspace(ctx, session, target, executor);
  const current = store.getSession(session.id);
  if (current.status !== 'starting') return; // canceled or paused while the workspace was prepared
  if (ctx.closing) {
    setStatus(ctx, current.id, 'queued', 'orcha stopped before the agent started');
    return;
  }

  const provider = ctx.providers.get(current.agent);
  if (!provider) throw new Error(`no agent named ${current.agent} is configured`);
  const objective = store.getObjective(current.objectiveId);
  const reach = await sessionReach(ctx, current.agent, target, executor);
  const pending = store.takeInput(current.id);
  const spec = {
    sessionId: current.id,
    prompt: firstPrompt(current, pending),
    cwd,
    executor,
    systemPrompt: systemPrompt(
      current,
      objective,
      current.workspaceId ? store.getWorkspace(current.workspaceId) : null,
    ),
    env: reach.env,
    mcp: { url: `${reach.orchaUrl}/mcp/${current.id}`, token: tokens.issue(current.id) },
    trustedWorkspace: true, // every session works in a directory orcha's preparer made for it
  };
  const run = current.providerSessionId
    ? await provider.resume({
        ...spec,
        prompt: resumePrompt(pending),
        providerSessionId: current.providerSessionId,
      })
    : await provider.start(spec);
  const live: LiveRun = { run, stopping: null, interactivity: provider.interactivity };
  ctx.runs.set(current.id, live);
  if (run.attachCommand) store.updateSession(current.id, { attachCommand: run.attachCommand });
  if (store.getSession(current.id).status !== 'starting') {
    live.stopping = 'cancel';
    await run.cancel();
  } else if (ctx.closing && !run.attachName) {
    live.stopping = 'restart';
    await run.cancel();
  }
  await consume(ctx, current, live);
}

interface TurnState {
  counters: GuardCounters;
  toolCalls: number;
  lastResult: string | null;
  exhausted: boolean;
  lastError: string | null;
}

async function consume(ctx: Context, session: Session, live: LiveRun): Promise<void> {
  const { store } = ctx;
  const id = session.id;
  const batch = new TranscriptBatch(ctx, id);
  const turn: TurnState = {
    counters: session.counters ?? emptyGuardCounters,
    toolCalls: 0,
    lastResult: session.result,
    exhausted: false,
    lastError: null,
  };
  const toRunning = () => {
    const now = store.getSession(id);
    if (now.status === 'starting' || now.status === 'waiting_input') setStatus(ctx, id, 'running', null);
  };

  for await (const event of live.run.events) {
    if (event.type !== 'exited' && event.type !== 'usage') toRunning();
    switch (event.type) {
      case 'started':
        if (event.providerSessionId) store.updateSession(id, { providerSessionId: event.providerSessionId });
        break;
      case 'text':
        batch.add({ kind: 'assistant', text: event.text });
        break;
      case 'output':
        batch.add({ kind: 'output', text: event.text });
        break;
      case 'tool-call':
        turn.toolCalls++;
        batch.add({
          kind: 'tool_call',
          text: `${event.name} ${JSON.stringify(event.input ?? {}).slice(0, 1_000)}`,
          data: { id: event.id, name: event.name, input: event.input as unknown },
        });
        break;
      case 'tool-result':
        batch.add({
          kind: 'tool_result',
          text: event.output.slice(0, 20_000),
          data: { id: event.id, isError: event.isError },
        });
        break;
      case 'usage': {
        const { cumulative: _cumulative, ...usage } = event.usage;
        store.updateSession(id, { usage });
        await checkGuards(ctx, id, turn, usage.modelCalls, batch);
        break;
      }
      case 'error':
        batch.add({
          kind: 'error',
          text: `${event.kind}: ${event.message}`,
          data: { kind: event.kind, resetsAt: event.resetsAt },
        });
        turn.lastError = event.message;
        turn.counters = recordError(turn.counters, errorKey(event.kind, event.message));
        if (event.kind === 'usage_exhausted') {
          turn.exhausted = true;
          markExhausted(ctx, store.getSession(id).agent, event.resetsAt);
        }
        await checkGuards(ctx, id, turn, store.getSession(id).usage.modelCalls, batch);
        break;
      case 'attention':
        batch.add({ kind: 'error', text: `needs a person: ${event.message}` });
        batch.flush();
        askUser(ctx, id, `${event.message}\n\n${event.screen}`.slice(0, 20_000), []);
        break;
      case 'turn-complete':
        await afterTurn(ctx, id, live, turn, event, batch);
        break;
      case 'exited':
        batch.flush();
        settle(ctx, id, live, turn, event);
        return;
      default: {
        const unknown: never = event;
        ctx.log('warn', 'unknown agent event', { event: unknown });
      }
    }
  }
  // The event stream ended without an `exited` event: treat it as a crash, never a hang.
  batch.flush();
  settle(ctx, id, live, turn, { type: 'exited', code: null, reason: 'crashed' });
}

async function checkGuards(
  ctx: Context,
  id: string,
  turn: TurnState,
  modelCalls: number,
  batch: TranscriptBatch,
) {
  ctx.store.updateSession(id, { counters: turn.counters });
  const verdict = evaluateGuards(ctx.config.guards, turn.counters, modelCalls);
  if (!verdict.trip) return;
  const session = ctx.store.getSession(id);
  if (session.status === 'paused' || sessionMachine.isTerminal(session.status)) return;
  batch.flush();
  await pauseSession(ctx, session, `loop guard: ${verdict.reason}`, {
    kind: 'loop_guard',
    prompt: `Session "${session.title}" was paused: ${verdict.reason}. Reply with guidance to resume it, or "cancel".`,
    options: ['resume', 'cancel'],
  });
}

async function afterTurn(
  ctx: Context,
  id: string,
  live: LiveRun,
  turn: TurnState,
  event: Extract<AgentEvent, { type: 'turn-complete' }>,
  batch: TranscriptBatch,
): Promise<void> {
  batch.flush();
  const progress = turn.toolCalls > 0 || (event.result !== null && event.result !== turn.lastResult);
  turn.counters = recordTurn(turn.counters, progress && !event.isError);
  turn.toolCalls = 0;
  if (event.result !== null) {
    turn.lastResult = event.result;
    ctx.store.updateSession(id, { result: event.result });
  }
  if (ctx.store.getSession(id).role === 'worker') await commitAtTurnEnd(ctx, id, event.result);
  await checkGuards(ctx, id, turn, ctx.store.getSession(id).usage.modelCalls, batch);
  const session = ctx.store.getSession(id);
  if (session.status !== 'running' || live.interactivity !== 'interactive') return;
  const pending = ctx.store.takeInput(id);
  if (pending.length) {
    await live.run.send(pending.join('\n\n'));
    return;
  }
  if (turn.exhausted) {
    live.stopping = 'restart';
    setStatus(ctx, id, 'queued', 'usage exhausted; waiting for the agent or its fallback');
    await live.run.cancel();
  } else if (session.role === 'worker' && !awaitsAnswer(ctx, id)) {
    live.stopping = 'finish';
    setStatus(
      ctx,
      id,
      event.isError ? 'failed' : 'completed',
      event.isError ? (event.result ?? 'the agent reported an error') : null,
    );
    await live.run.cancel();
  } else {
    setStatus(ctx, id, 'waiting_input', idleReason(ctx, session));
  }
}

/** A worker whose question to the person is still open waits for the answer instead of finishing. */
function awaitsAnswer(ctx: Context, sessionId: string): boolean {
  return ctx.store
    .listQuestions({ status: 'open', sessionId })
    .some((question) => question.kind === 'ask_user');
}

function idleReason(ctx: Context, session: Session): string {
  return awaitsAnswer(ctx, session.id) ? 'waiting for your answer' : 'idle: waiting for workers or messages';
}

function settle(
  ctx: Context,
  id: string,
  live: LiveRun,
  turn: TurnState,
  exit: Extract<AgentEvent, { type: 'exited' }>,
): void {
  if (ctx.runs.get(id) === live) ctx.runs.delete(id);
  ctx.wake();
  if (ctx.store.getSession(id).status === 'starting') setStatus(ctx, id, 'running', null);
  const session = ctx.store.getSession(id);
  if (sessionMachine.isTerminal(session.status)) return;
  switch (live.stopping) {
    case 'cancel':
      setStatus(ctx, id, 'canceled', 'canceled');
      return;
    case 'pause':
    case 'finish':
      return;
    case 'restart':
      if (session.status !== 'queued') setStatus(ctx, id, 'queued', 'restarting with new input');
      return;
    case null:
      break;
  }
  if (turn.exhausted) {
    setStatus(ctx, id, 'queued', 'usage exhausted; waiting for the agent or its fallback');
    return;
  }
  if (exit.reason === 'completed') {
    if (ctx.store.pendingInputCount(id) > 0) {
      setStatus(ctx, id, 'queued', 'continuing with new input');
    } else if (session.role === 'worker' && !awaitsAnswer(ctx, id)) {
      setStatus(ctx, id, 'completed', null);
    } else if (session.status !== 'paused') {
      setStatus(ctx, id, 'waiting_input', idleReason(ctx, session));
    }
    return;
  }
  if (session.status === 'paused') return;
  const reason =
    turn.lastError ?? `agent exited (${exit.reason}${exit.code !== null ? `, code ${exit.code}` : ''})`;
  setStatus(ctx, id, 'failed', reason.slice(0, 500));
}
