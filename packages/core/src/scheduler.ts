import { activeSessionStatuses, chooseTarget, type Session } from '@orcha/model';
import type { Context } from './context.js';
import { parkForUsage, resumeParkedSessions, usableAgent } from './usage.js';

export interface Scheduler {
  /** Runs one pass now (serialized with other passes). */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Starts runnable sessions. Woken at once when work is created or ends (`ctx.wake`), with an idle tick as the
 * fallback. Each pass honours dependencies, the global cap, provider usage, placement and per-target capacity
 * (an atomic slot claim), and PR-branch locks, and records on each waiting session why it waits.
 */
export function createScheduler(ctx: Context, launch: (session: Session) => void): Scheduler {
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  const tick = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          pass(ctx, launch);
        } catch (error) {
          ctx.log('error', 'scheduler pass failed', { error: String(error) });
        }
      } while (again);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    tick,
    start() {
      stopped = false;
      const loop = () => {
        if (stopped) return;
        void tick();
        timer = setTimeout(loop, ctx.config.scheduleIntervalMs);
        timer.unref?.();
      };
      loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

function pass(ctx: Context, launch: (session: Session) => void): void {
  const { store } = ctx;
  resumeParkedSessions(ctx);
  const waiting = store.listSessions({ statuses: ['queued', 'waiting_capacity'] });
  if (waiting.length === 0) return;
  let active = store.listSessions({ statuses: [...activeSessionStatuses] }).length;
  const byId = new Map(
    store.listSessions({ ids: [...new Set(waiting.flatMap((s) => s.dependsOn))] }).map((s) => [s.id, s]),
  );
  // Read once per pass and kept current as slots are claimed: a pass stays linear in the queue length.
  const targets = store.listTargets();
  const load = store.targetLoad();
  const agents = new Map<string, ReturnType<typeof usableAgent>>();

  for (const session of waiting) {
    const deps = session.dependsOn.map((id) => byId.get(id));
    const broken = deps.find((dep) => dep && (dep.status === 'failed' || dep.status === 'canceled'));
    if (broken) {
      store.updateSessionStatus(session.id, 'canceled', {
        reason: `dependency ${broken.id} ${broken.status}`,
      });
      store.dropInput(session.id);
      continue;
    }
    const unfinished = deps.filter((dep) => dep?.status !== 'completed');
    if (unfinished.length > 0) {
      explain(
        ctx,
        session,
        `waiting for ${unfinished.length} dependenc${unfinished.length === 1 ? 'y' : 'ies'}`,
      );
      continue;
    }
    if (active >= ctx.config.maxConcurrent) {
      explain(ctx, session, `waiting for capacity: ${ctx.config.maxConcurrent} sessions running (the limit)`);
      continue;
    }
    const agent = agents.get(session.agent) ?? usableAgent(ctx, session.agent);
    agents.set(session.agent, agent);
    if (!ctx.providers.has(agent.name)) {
      store.updateSessionStatus(session.id, 'failed', {
        reason: `no agent named ${session.agent} is configured`,
      });
      continue;
    }
    if (agent.exhaustedUntil !== null) {
      parkForUsage(ctx, session, agent.exhaustedUntil);
      continue;
    }
    if (agent.name !== session.agent) {
      store.updateSession(session.id, {
        agent: agent.name,
        providerSessionId: null,
        statusReason: `fell back from ${session.agent}: usage exhausted`,
      });
    }
    const placement = chooseTarget(
      targets.map((target) => ({
        id: target.id,
        name: target.name,
        status: target.status,
        capacity: target.capacitySessions,
        used: load[target.id] ?? 0,
      })),
      session.pinnedTarget,
    );
    if (!placement.ok) {
      toWaitingCapacity(ctx, session, placement.detail);
      continue;
    }
    if (session.pullRequestId) {
      const lock = store.acquireLock(`pr-branch:${session.pullRequestId}`, session.id);
      if (!lock.ok) {
        explain(ctx, session, `waiting for the pull request branch: ${lock.holder} is updating it`);
        continue;
      }
    }
    const claim = store.claimTargetSlot(placement.targetId, session.id);
    if (!claim.ok) {
      toWaitingCapacity(
        ctx,
        session,
        claim.reason === 'capacity_full' ? 'target is full' : 'target is not online',
      );
      continue;
    }
    load[placement.targetId] = (load[placement.targetId] ?? 0) + 1;
    store.updateSession(session.id, { targetId: placement.targetId, statusReason: null });
    const started = store.updateSessionStatus(session.id, 'starting', { reason: null });
    active++;
    launch(started);
  }
}

/** Records why a session waits, writing only when the reason changed (no event storm on idle ticks). */
function explain(ctx: Context, session: Session, reason: string): void {
  if (session.statusReason !== reason) ctx.store.updateSession(session.id, { statusReason: reason });
}

function toWaitingCapacity(ctx: Context, session: Session, reason: string): void {
  if (session.status === 'queued') ctx.store.updateSessionStatus(session.id, 'waiting_capacity', { reason });
  else explain(ctx, session, reason);
}
