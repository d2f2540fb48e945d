import type { AgentEvent, AgentRun, PermissionQuestion } from '@orcha/agent';
import {
  emptyGuardCounters,
  errorKey,
  evaluateGuards,
  type GuardCounters,
  OrchaError,
  recordError,
  recordTurn,
  type Session,
  sessionMachine,
} from '@orcha/model';
import { agentExecutor, endLeftoverRuns } from './agent-executor.js';
import { armClockBudget, enforceBudget } from './budgets.js';
import type { Context, LiveRun } from './context.js';
import { handoffPrompt } from './failover.js';
import { askPermission } from './permissions.js';
import { firstPrompt, resumePrompt, systemPrompt } from './prompts.js';
import { askUser } from './questions.js';
import { pauseSession, sendLive, stopRun } from './session-control.js';
import { report, turnContext } from './session-status.js';
import { sessionIdVariable } from './target-health.js';
import { sessionReach } from './target-reach.js';
import type { TokenRegistry } from './tokens.js';
import { TranscriptBatch } from './transcript-batch.js';
import { markExhausted } from './usage.js';
import { commitAtTurnEnd } from './worker-commits.js';
import { ensureWorkspace } from './workspaces.js';

/**
 * Runs one session: prepares its workspace on its target, starts (or resumes) its agent through the target's
 * Executor, writes the agent's events to the transcript in batches, keeps usage and guard counters current,
 * and reports what happens — the process started, a turn completed, the process exited — as facts; the
 * session's status follows from them (`session-status.ts`). A run speaks for its session only while it is the
 * session's live run (`ctx.runs`): once orcha stops it, its last events go to the transcript alone. An idle
 * session's process is stopped after its turn, so it holds no slot while it waits; the target slot and locks
 * are released by the store when the status leaves the running states.
 */
export function createSessionDriver(ctx: Context, tokens: TokenRegistry) {
  /** Work in progress per session: preparing and starting a run, then following its events. */
  const inFlight = new Map<Promise<void>, string>();
  const track = (sessionId: string, work: Promise<void>) => {
    inFlight.set(work, sessionId);
    void work.finally(() => inFlight.delete(work));
  };
  /** Starts of each session the connection to its machine cut off (each is tried again, a few times). */
  const interrupted = new Map<string, number>();
  const launch = (session: Session): void => {
    track(
      session.id,
      drive(ctx, tokens, session).then(
        () => void interrupted.delete(session.id),
        async (error) => {
          ctx.log('error', `session ${session.id} failed to run`, { error: String(error) });
          void stopRun(ctx, session.id);
          const message = error instanceof Error ? error.message : String(error);
          try {
            const target = await cutOffStart(ctx, session.id, error, interrupted);
            report(
              ctx,
              session.id,
              target
                ? { type: 'launch-interrupted', target, reason: message }
                : { type: 'could-not-run', reason: `could not run: ${message}` },
            );
          } catch (settleError) {
            ctx.log('error', `could not record that session ${session.id} failed`, {
              error: String(settleError),
            });
          }
        },
      ),
    );
  };
  /** Follows a run that already exists (re-attached after a restart). */
  const follow = (session: Session, run: AgentRun, interactivity: LiveRun['interactivity']): void => {
    const live: LiveRun = { run, interactivity, owedTurns: 1 };
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

/** How many times one session's start may be cut off by its machine's connection before it fails. */
const interruptedStartsMax = 3;

/**
 * The name of the SSH machine whose connection cut off the session's start (an `unavailable` error while
 * it was `starting`), when it may start again; else null: the start failed for good. The machine is probed
 * first (as before an agent there is believed crashed): that waits out a drop, sees a reboot, or leaves the
 * machine offline, where nothing is placed until it is back.
 */
async function cutOffStart(
  ctx: Context,
  sessionId: string,
  error: unknown,
  counts: Map<string, number>,
): Promise<string | null> {
  if (!(error instanceof OrchaError) || error.code !== 'unavailable') return null;
  const session = ctx.store.getSession(sessionId);
  if (session.status !== 'starting' || !session.targetId) return null;
  const target = ctx.store.getTarget(session.targetId);
  const count = (counts.get(sessionId) ?? 0) + 1;
  if (target.kind !== 'ssh' || count > interruptedStartsMax) return null;
  counts.set(sessionId, count);
  await ctx.confirmTarget?.(target.id).catch(() => 'missed');
  return target.name;
}

async function drive(ctx: Context, tokens: TokenRegistry, session: Session): Promise<void> {
  const { store } = ctx;
  const idle = ctx.runs.get(session.id);
  if (idle?.interactivity === 'interactive') {
    // Its process stayed alive while it was idle: the input goes to the live process.
    const pending = store.takeInput(session.id);
    try {
      if (pending.length) await sendLive(idle, pending.join('\n\n'));
      report(ctx, session.id, { type: 'process-started' });
      return;
    } catch (error) {
      // The process went away meanwhile: the input waits for the resumed conversation instead.
      ctx.log('info', `session ${session.id}: its idle process is gone; resuming`, { error: String(error) });
      store.requeueInput(session.id);
    }
  }
  // A run of an earlier turn that orcha is still stopping is gone before this one starts.
  await stopRun(ctx, session.id);
  const target = store.getTarget(session.targetId!);
  const executor = ctx.executorFor(target);
  const cwd = await ensureWorkspace(ctx, session, target, executor);
  ctx.probe?.('workspace-prepared');
  const current = store.getSession(session.id);
  if (current.status !== 'starting') return; // canceled or paused while the workspace was prepared
  if (ctx.closing) {
    report(ctx, current.id, {
      type: 'stop-requested',
      why: 'shutdown',
      reason: 'orcha stopped before the agent started',
    });
    return;
  }

  const provider = ctx.providers.get(current.agent);
  if (!provider) throw new Error(`no agent named ${current.agent} is configured`);
  if (await enforceBudget(ctx, current.id)) return; // a spent budget: no model call starts
  const objective = store.getObjective(current.objectiveId);
  const reach = await sessionReach(ctx, current.agent, target, executor);
  await endLeftoverRuns(ctx, executor, target, current.id);
  const pending = store.takeInput(current.id);
  // A session that moved to this agent mid-task starts from a handoff instead of its bare task.
  const handoff = current.providerSessionId
    ? null
    : await handoffPrompt(ctx, current, executor, cwd, pending);
  const spec = {
    sessionId: current.id,
    prompt: handoff ?? firstPrompt(current, pending),
    cwd,
    executor: agentExecutor(executor, target, current.id, ctx.config.health.reconnectWaitMs),
    systemPrompt: systemPrompt(
      current,
      objective,
      current.workspaceId ? store.getWorkspace(current.workspaceId) : null,
    ),
    // Names the session on every process of its agent: how the heartbeat measures its memory.
    env: { ...reach.env, [sessionIdVariable]: current.id },
    mcp: { url: `${reach.orchaUrl}/mcp/${current.id}`, token: tokens.issue(current.id) },
    trustedWorkspace: true, // every session works in a directory orcha's preparer made for it
    askPermission: (request: PermissionQuestion, signal: AbortSignal) =>
      askPermission(ctx, current.id, request, signal),
  };
  const run = current.providerSessionId
    ? await provider.resume({
        ...spec,
        prompt: resumePrompt(pending),
        providerSessionId: current.providerSessionId,
      })
    : await provider.start(spec);
  const live: LiveRun = { run, interactivity: provider.interactivity, owedTurns: 1 };
  ctx.runs.set(current.id, live);
  if (!current.providerSessionId) ctx.probe?.('provider-spawned');
  if (run.attachCommand || run.attachName)
    store.updateSession(current.id, {
      attachCommand: run.attachCommand ?? null,
      attachName: run.attachName ?? null,
    });
  if (store.getSession(current.id).status !== 'starting') {
    await stopRun(ctx, current.id); // canceled or paused while the agent started
  } else if (ctx.closing && !run.attachName) {
    await stopRun(ctx, current.id);
    report(ctx, current.id, {
      type: 'stop-requested',
      why: 'shutdown',
      reason: 'orcha stopped; resumes on start',
    });
  } else if (ctx.closing) {
    // It outlives orcha in tmux: left running, re-attached at the next start.
    ctx.runs.delete(current.id);
    run.detach?.();
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

/** Reads a run's events until it ends; wall-clock budgets are watched meanwhile (`armClockBudget`). */
async function consume(ctx: Context, session: Session, live: LiveRun): Promise<void> {
  const disarm = armClockBudget(ctx, session.id, () => ctx.runs.get(session.id) === live);
  try {
    await consumeEvents(ctx, session, live);
  } finally {
    disarm();
  }
}

async function consumeEvents(ctx: Context, session: Session, live: LiveRun): Promise<void> {
  const { store } = ctx;
  const id = session.id;
  const batch = new TranscriptBatch(ctx, id);
  // Providers report totals of this run (one process); the session's usage is what earlier runs spent plus it.
  const earlier = store.getSession(id).usage;
  const turn: TurnState = {
    counters: session.counters ?? emptyGuardCounters,
    toolCalls: 0,
    lastResult: session.result,
    exhausted: false,
    lastError: null,
  };
  /** Whether this run still speaks for its session (orcha has not stopped it). */
  const current = () => ctx.runs.get(id) === live;

  for await (const event of live.run.events) {
    if (event.type !== 'exited' && event.type !== 'usage' && current()) {
      report(ctx, id, { type: 'process-started' });
    }
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
        const { cumulative: _cumulative, ...run } = event.usage;
        const usage = {
          inputTokens: earlier.inputTokens + run.inputTokens,
          outputTokens: earlier.outputTokens + run.outputTokens,
          costUsd: earlier.costUsd + run.costUsd,
          modelCalls: earlier.modelCalls + run.modelCalls,
        };
        store.updateSession(id, { usage });
        if (!current()) break;
        if (await enforceBudget(ctx, id, () => batch.flush())) break;
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
        } else if (event.kind === 'rate_limited') {
          // The CLI gave up after its own retries: the agent rests, and the session moves on or waits.
          turn.exhausted = true;
          markExhausted(
            ctx,
            store.getSession(id).agent,
            event.resetsAt ?? ctx.clock() + ctx.config.rateLimitCooldownMs,
          );
        }
        if (current()) await checkGuards(ctx, id, turn, store.getSession(id).usage.modelCalls, batch);
        break;
      case 'attention':
        batch.add({ kind: 'error', text: `needs a person: ${event.message}` });
        batch.flush();
        askUser(ctx, id, `${event.message}\n\n${event.screen}`.slice(0, 20_000), []);
        break;
      case 'turn-complete':
        batch.flush();
        if (current()) await afterTurn(ctx, id, live, turn, event, batch);
        break;
      case 'exited':
        batch.flush();
        await confirmTarget(ctx, id, live, event);
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
  const crashed = { type: 'exited', code: null, reason: 'crashed' } as const;
  await confirmTarget(ctx, id, live, crashed);
  settle(ctx, id, live, turn, crashed);
}

/**
 * Before an agent that ended badly on an SSH target is believed dead, its target is probed: a machine that
 * rebooted re-queues its sessions itself (and the exit then changes nothing). A target that did not answer
 * at first but does again lost its connection: that, not the agent, ended the run. Whatever is left of the
 * agent's process group there is stopped, and the session resumes its conversation (or fails, having none).
 */
async function confirmTarget(
  ctx: Context,
  id: string,
  live: LiveRun,
  exit: Extract<AgentEvent, { type: 'exited' }>,
): Promise<void> {
  if (exit.reason === 'completed' || exit.reason === 'canceled' || ctx.runs.get(id) !== live) return;
  const targetId = ctx.store.getSession(id).targetId;
  if (!targetId || !ctx.confirmTarget || ctx.store.getTarget(targetId).kind !== 'ssh') return;
  const answer = await ctx.confirmTarget(targetId).catch(() => 'missed' as const);
  if (answer !== 'reconnected' || ctx.runs.get(id) !== live) return;
  await stopRun(ctx, id);
  const session = ctx.store.getSession(id);
  report(ctx, id, {
    type: 'connection-lost',
    target: ctx.store.getTarget(targetId).name,
    resumable: Boolean(session.providerSessionId && ctx.providers.get(session.agent)),
  });
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

/**
 * A turn ended: the guards look at it, then the turn is reported. A session that goes on (a message waits)
 * keeps its process. An idle one gives its slot back; an interactive process may stay alive while idle
 * (the scheduler suspends it when a slot is needed, and it then resumes by its conversation id). Any other
 * outcome — finished, paused, requeued — ends an interactive process now (a noninteractive one ends by
 * itself). A manager that marked its objective done is stopped here, after the tool call was answered.
 */
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
  // An exhausted turn leaves the workspace as it is: the next agent carries on with the changes uncommitted.
  if (ctx.store.getSession(id).role === 'worker' && !turn.exhausted)
    await commitAtTurnEnd(ctx, id, event.result);
  await checkGuards(ctx, id, turn, ctx.store.getSession(id).usage.modelCalls, batch);
  live.owedTurns = Math.max(0, live.owedTurns - 1);
  // Every message handed to the run has had its turn: none of them goes back to the inbox any more.
  if (live.owedTurns === 0) ctx.store.ackInput(id);
  report(ctx, id, {
    type: 'turn-completed',
    isError: event.isError,
    result: event.result,
    ...turnContext(ctx, id, { exhausted: turn.exhausted, owedTurns: live.owedTurns }),
  });
  if (live.interactivity !== 'interactive') return;
  const status = ctx.store.getSession(id).status;
  if (status === 'running') {
    const pending = ctx.store.takeInput(id);
    if (pending.length) await sendLive(live, pending.join('\n\n'));
    return;
  }
  if (status !== 'waiting_input') await stopRun(ctx, id);
}

/** The run's process ended. Only the session's live run reports it; a run orcha stopped was accounted for. */
function settle(
  ctx: Context,
  id: string,
  live: LiveRun,
  turn: TurnState,
  exit: Extract<AgentEvent, { type: 'exited' }>,
): void {
  if (ctx.runs.get(id) !== live) return;
  ctx.runs.delete(id);
  ctx.wake();
  // What the run was handed and did not answer waits for the session's next run.
  ctx.store.requeueInput(id);
  report(ctx, id, {
    type: 'process-exited',
    reason: exit.reason,
    code: exit.code,
    lastError: turn.lastError,
    ...turnContext(ctx, id, { exhausted: turn.exhausted, owedTurns: 0 }),
  });
}
