import type { AgentProvider } from '@orcha/agent';
import type { Executor } from '@orcha/exec';
import type { Forge } from '@orcha/forge';
import {
  type BudgetLimits,
  type DoctorReport,
  type Objective,
  OrchaError,
  type Question,
  type Session,
  sessionMachine,
  type Target,
} from '@orcha/model';
import type { EventListener, Store, StoreReads } from '@orcha/store';
import type { Preparer } from '@orcha/workspace';
import { defaultConfig, defaultHealthConfig, type HealthConfig, type OrchestratorConfig } from './config.js';
import type { Context, Logger } from './context.js';
import type { CrashProbe } from './crash-points.js';
import { continueOn } from './failover.js';
import { createFeedbackMonitor } from './feedback-monitor.js';
import { type ManagerTool, sessionTools } from './manager-tools.js';
import { cancelObjective, createObjective } from './objective-ops.js';
import { answerQuestion } from './questions.js';
import { type ReconcileCounts, reconcile } from './reconcile.js';
import { createScheduler } from './scheduler.js';
import { cancelSession, stopRun } from './session-control.js';
import { createSessionDriver } from './session-driver.js';
import { report } from './session-status.js';
import { type Delivery, deliverInbox, steer } from './steering.js';
import { createHealthMonitor } from './target-health.js';
import {
  doctorTarget,
  registerTarget,
  setTargetStatus,
  type TargetInput,
  type TrustedHostKey,
  trustHostKey,
} from './target-ops.js';
import { createTokenRegistry } from './tokens.js';
import { tellManager } from './worker-reports.js';
import { cleanupAfter, stopCleanup } from './workspace-cleanup.js';

export interface OrchestratorOptions {
  store: Store;
  /** Agent providers by the agent name sessions use. */
  providers: Record<string, AgentProvider>;
  /** The Executor that reaches a target. */
  executorFor(target: Target): Executor;
  forge: Forge;
  preparer: Preparer;
  clock?: () => number;
  /**
   * A clock that stops while the machine sleeps, to tell a wake from sleep: default `performance.now`, or
   * `clock` itself when one is given (then no wake is ever seen unless this is given too).
   */
  monotonic?: () => number;
  config?: Partial<Omit<OrchestratorConfig, 'health'>> & { health?: Partial<HealthConfig> };
  log?: Logger;
  /** Test-only: called at each crash point (`crashPoints`). Leave it out in a normal run. */
  probe?: CrashProbe;
}

export interface Orchestrator {
  readonly store: Store;
  /** The read port: what the API and other readers use; every change goes through the members below. */
  readonly reads: StoreReads;
  readonly config: OrchestratorConfig;
  /** Reconciles sessions left by an earlier run, then starts the scheduler and the feedback monitor. */
  start(): Promise<ReconcileCounts>;
  /** Stops scheduling. Headless runs are stopped and resume on the next start; tmux runs live on. */
  stop(): Promise<void>;
  /**
   * Creates an objective and its manager. A repo without a base branch gets the repository's default branch
   * from the forge, recorded on the objective; a repo the forge cannot see refuses the objective.
   */
  createObjective(input: {
    title: string;
    prompt: string;
    repo?: string | null;
    baseBranch?: string | null;
    agent?: string | null;
    /** Null or absent: the configured default budget of objectives. */
    budget?: BudgetLimits | null;
  }): Promise<{ objective: Objective; manager: Session }>;
  cancelObjective(objectiveId: string, reason?: string): Promise<Objective>;
  steer(sessionId: string, text: string): Promise<Delivery>;
  cancelSession(sessionId: string, reason?: string): Promise<Session>;
  /**
   * Moves a session to another agent mid-task, by the person's choice: same workspace, a handoff prompt,
   * the manager told. Refuses an unknown or exhausted agent and a finished session.
   */
  continueOn(sessionId: string, agent: string): Promise<Session>;
  answerQuestion(questionId: string, answer: string): Promise<Question>;
  /** Registers a machine: bootstrap, then the doctor; online only if every required check passes. */
  registerTarget(input: TargetInput): Promise<{ target: Target; doctor: DoctorReport }>;
  doctorTarget(targetId: string): Promise<{ target: Target; doctor: DoctorReport }>;
  /** Trusts an SSH target's host key once a person compared its fingerprint; the doctor re-runs. */
  trustHostKey(targetId: string, fingerprint: string): Promise<TrustedHostKey>;
  setTargetStatus(targetId: string, to: 'draining' | 'disabled' | 'online'): Target;
  /** The live terminal of a session whose run can show one (tmux). */
  snapshot(sessionId: string): Promise<string>;
  /** Whether a session's run is live in this process, and how it is steered. */
  liveRun(sessionId: string): { interactivity: 'interactive' | 'noninteractive' } | null;
  /** The tools one session may call (bound to it), after checking its bearer token. */
  toolsFor(sessionId: string, token: string): ManagerTool[];
  /** Runs one scheduler pass now (the scheduler also runs by itself). */
  tick(): Promise<void>;
  /** Polls open pull requests once (the monitor also runs by itself). */
  pollFeedback(): Promise<void>;
}

/**
 * Composes the orchestrator from its backends. Usable as a library: give it any store, providers,
 * executors, forge and preparer.
 */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  const config: OrchestratorConfig = {
    ...defaultConfig,
    ...options.config,
    health: { ...defaultHealthConfig, ...options.config?.health },
  };
  let scheduler: ReturnType<typeof createScheduler> | null = null;
  let wakePending = false;
  // Nothing is placed before `start()`: a replica that follows another serves the API and schedules nothing.
  let started = false;
  const ctx: Context = {
    store: options.store,
    providers: new Map(Object.entries(options.providers)),
    executorFor: options.executorFor,
    forge: options.forge,
    preparer: options.preparer,
    clock: options.clock ?? Date.now,
    config,
    log: options.log ?? (() => {}),
    runs: new Map(),
    exits: new Map(),
    closing: false,
    holdsPlacement: () => false,
    confirmTarget: null,
    ...(options.probe ? { probe: options.probe } : {}),
    wake: () => {
      if (!scheduler || !started || wakePending) return;
      wakePending = true;
      setImmediate(() => {
        wakePending = false;
        void scheduler?.tick();
      });
    },
  };
  const tokens = createTokenRegistry(ctx.store);
  const driver = createSessionDriver(ctx, tokens);
  scheduler = createScheduler(ctx, driver.launch);
  const monitor = createFeedbackMonitor(ctx);
  // A caller that gives its own clock and no monotonic one moves time itself: no wake is read into that.
  const health = createHealthMonitor(ctx, { monotonic: options.monotonic ?? options.clock });
  ctx.confirmTarget = health.confirm;
  ctx.holdsPlacement = health.holdsPlacement;
  let unsubscribe: (() => void) | null = null;

  const onEvents: EventListener = (events, origin) => {
    cleanupAfter(ctx, events);
    for (const event of events) {
      // A message written through another replica to a run this one holds: delivered now, as it would be here.
      if (
        origin === 'another-process' &&
        event.type === 'message-append' &&
        ctx.runs.has(event.sessionId) &&
        ctx.store.pendingInputCount(event.sessionId) > 0
      )
        void deliverInbox(ctx, event.sessionId).catch((error: unknown) =>
          ctx.log('warn', 'delivering a message written elsewhere failed', {
            sessionId: event.sessionId,
            error: String(error),
          }),
        );
      // Work made or canceled through another replica (the shared feed): placed, or its run stopped, here.
      if (event.type === 'session-create') ctx.wake();
      if (event.type !== 'session-status-change') continue;
      if (event.to === 'queued') ctx.wake();
      if (event.to === 'canceled' && ctx.runs.has(event.sessionId)) void stopRun(ctx, event.sessionId);
      if (!sessionMachine.isTerminal(event.to)) continue;
      ctx.wake();
      queueMicrotask(() => void tellManager(ctx, event.sessionId));
    }
  };
  return {
    store: ctx.store,
    reads: ctx.store,
    config,
    async start() {
      ctx.closing = false;
      started = true;
      unsubscribe = ctx.store.subscribe(onEvents);
      const counts = await reconcile(ctx, (sessionId, run, interactivity) =>
        driver.follow(ctx.store.getSession(sessionId), run, interactivity),
      );
      scheduler?.start();
      monitor.start();
      health.start();
      return counts;
    },
    async stop() {
      ctx.closing = true;
      await scheduler?.stop();
      scheduler = null;
      await monitor.stop();
      await health.stop();
      unsubscribe?.();
      await stopCleanup(ctx);
      await Promise.all(
        [...ctx.runs]
          .filter(([, live]) => !live.run.attachName)
          .map(async ([sessionId]) => {
            await stopRun(ctx, sessionId);
            report(ctx, sessionId, {
              type: 'stop-requested',
              why: 'shutdown',
              reason: 'orcha stopped; resumes on start',
            });
          }),
      );
      // Runs that outlive orcha (tmux) are left running, no longer followed: re-attached at the next start.
      for (const [sessionId, live] of ctx.runs)
        if (live.run.attachName) {
          ctx.runs.delete(sessionId);
          live.run.detach?.();
        }
      await Promise.all(ctx.exits.values());
      // Runs still being prepared or settling finish before the store may close.
      await driver.idle();
    },
    createObjective: (input) => createObjective(ctx, input),
    cancelObjective: (objectiveId, reason) =>
      cancelObjective(ctx, objectiveId, reason ?? 'canceled by the person'),
    steer: (sessionId, text) => steer(ctx, sessionId, text, 'user'),
    cancelSession: (sessionId, reason) => cancelSession(ctx, sessionId, reason ?? 'canceled by the person'),
    continueOn: (sessionId, agent) => continueOn(ctx, sessionId, agent),
    answerQuestion: (questionId, answer) => answerQuestion(ctx, questionId, answer),
    registerTarget: (input) => registerTarget(ctx, input),
    doctorTarget: (targetId) => doctorTarget(ctx, targetId),
    trustHostKey: (targetId, fingerprint) => trustHostKey(ctx, targetId, fingerprint),
    setTargetStatus: (targetId, to) => setTargetStatus(ctx, targetId, to),
    async snapshot(sessionId) {
      ctx.store.getSession(sessionId);
      const live = ctx.runs.get(sessionId);
      if (!live?.run.snapshot) {
        throw new OrchaError('capability_unsupported', `session ${sessionId} has no live terminal to show`);
      }
      return live.run.snapshot();
    },
    liveRun(sessionId) {
      const live = ctx.runs.get(sessionId);
      return live ? { interactivity: live.interactivity } : null;
    },
    toolsFor(sessionId, token) {
      const session = ctx.store.getSession(sessionId);
      if (!tokens.verify(session.id, token))
        throw new OrchaError('unauthorized', 'a valid bearer token for this session is required');
      if (sessionMachine.isTerminal(session.status))
        throw new OrchaError('forbidden', `session ${sessionId} is ${session.status}`);
      return sessionTools(ctx, session.id);
    },
    tick: () => scheduler?.tick() ?? Promise.resolve(),
    pollFeedback: () => monitor.pollOnce(),
  };
}
