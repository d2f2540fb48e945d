import {
  activeSessionStatuses,
  chooseTarget,
  type MemoryNeed,
  type MemoryRoom,
  nextSessionStatus,
  type Session,
  schedulingOrder,
  slotWaitReason,
  type Target,
} from '@orcha/model';
import type { Context } from './context.js';
import { exhaustionReason, switchAgent } from './failover.js';
import { stopRun } from './session-control.js';
import { report } from './session-status.js';
import { parkForUsage, resumeParkedSessions, usableAgent } from './usage.js';

export interface Scheduler {
  /** Runs one pass now (serialized with other passes). */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Starts runnable sessions. Woken at once when work is created or ends (`ctx.wake`), with an idle tick as the
 * fallback. Each pass takes waiting sessions in the model's scheduling order (resumed work, then workers,
 * then new managers; FIFO with aging), honours dependencies, the global cap, provider usage, placement and
 * per-target capacity (an atomic slot claim), and PR-branch locks, and records on each waiting session why it
 * waits — for a slot, how many are ahead of it. Only starting and running sessions hold slots, and those
 * always move on when their agents finish, so the queue cannot deadlock.
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
  const reasons: Reasons = [];
  try {
    placeWaiting(ctx, launch, reasons);
  } finally {
    // Every changed reason of the queue in one commit: a long queue costs one transaction per pass.
    if (reasons.length) ctx.store.updateSessions(reasons);
  }
}

/** Why waiting sessions wait, as this pass found it: written together at the end of the pass. */
type Reasons = { id: string; patch: { statusReason: string } }[];

function placeWaiting(ctx: Context, launch: (session: Session) => void, reasons: Reasons): void {
  const { store } = ctx;
  if (ctx.holdsPlacement()) return; // woken from sleep: every target is probed before anything is placed
  resumeParkedSessions(ctx);
  // The queue is read light; a session's whole row only once it may be placed (a slot is free).
  const waiting = schedulingOrder(store.listWaiting());
  if (waiting.length === 0) return;
  const activeSessions = store.listSessions({ statuses: [...activeSessionStatuses] });
  let active = activeSessions.length;
  const byId = new Map(
    store.listSessions({ ids: [...new Set(waiting.flatMap((s) => s.dependsOn))] }).map((s) => [s.id, s]),
  );
  // Read once per pass and kept current as slots are claimed: a pass stays linear in the queue length.
  const targets = store.listTargets();
  const load = store.targetLoad();
  const memory = memoryLedger(ctx, targets, activeSessions);
  const agents = new Map<string, ReturnType<typeof usableAgent>>();
  // Idle interactive processes still alive, longest idle first: suspended when their place under the cap is
  // wanted. Only those that can resume their conversation (a TUI in tmux cannot) are ever suspended.
  const lingering = [...ctx.runs.keys()]
    .map((id) => store.getSession(id))
    .filter((session) => session.status === 'waiting_input' && session.providerSessionId)
    .sort((a, b) => a.updatedAt - b.updatedAt);
  /** Runnable sessions earlier in the order that are still waiting for a slot. */
  let ahead = 0;

  for (const queued of waiting) {
    const deps = queued.dependsOn.map((id) => byId.get(id));
    const broken = deps.find((dep) => dep && (dep.status === 'failed' || dep.status === 'canceled'));
    if (broken) {
      report(ctx, queued.id, { type: 'dependency-ended', dependencyId: broken.id, status: broken.status });
      store.dropInput(queued.id);
      continue;
    }
    const unfinished = deps.filter((dep) => dep?.status !== 'completed');
    if (unfinished.length > 0) {
      explain(
        reasons,
        queued,
        `waiting for ${unfinished.length} dependenc${unfinished.length === 1 ? 'y' : 'ies'}`,
      );
      continue;
    }
    if (active >= ctx.config.maxConcurrent) {
      explain(reasons, queued, slotWaitReason(ahead++));
      continue;
    }
    const session = store.getSession(queued.id);
    const agent = agents.get(session.agent) ?? usableAgent(ctx, session.agent);
    agents.set(session.agent, agent);
    if (!ctx.providers.has(agent.name)) {
      report(ctx, session.id, {
        type: 'could-not-run',
        reason: `no agent named ${session.agent} is configured`,
      });
      continue;
    }
    if (agent.exhaustedUntil !== null) {
      parkForUsage(ctx, session, agent.exhaustedUntil);
      continue;
    }
    // Its agent is exhausted and its chain names one that can run: it continues there, in its workspace.
    if (agent.name !== session.agent)
      switchAgent(ctx, session, agent.name, exhaustionReason(ctx, session.agent));
    const need = { ...memory.need(agent.name), newWorkspace: !session.workspaceId };
    const placement = chooseTarget(
      targets.map((target) => ({
        id: target.id,
        name: target.name,
        status: target.status,
        capacity: target.capacitySessions,
        used: load[target.id] ?? 0,
        memory: memory.room(target.id),
        disk: target.health
          ? { freeBytes: target.health.diskFreeBytes, floorBytes: target.diskFloorBytes ?? 0 }
          : null,
      })),
      // A session whose idle process is still alive goes on where that process is; one with a workspace
      // goes back to the target that holds it.
      ctx.runs.has(session.id)
        ? session.targetId
        : session.workspaceId
          ? store.getWorkspace(session.workspaceId).targetId
          : session.pinnedTarget,
      need,
    );
    if (!placement.ok) {
      toWaitingCapacity(
        ctx,
        reasons,
        session,
        placement.reason === 'capacity_full' ? slotWaitReason(ahead++) : placement.detail,
      );
      continue;
    }
    if (session.pullRequestId) {
      const lock = store.acquireLock(`pr-branch:${session.pullRequestId}`, session.id);
      if (!lock.ok) {
        explain(reasons, session, `waiting for the pull request branch: ${lock.holder} is updating it`);
        continue;
      }
    }
    const claim = store.claimTargetSlot(placement.targetId, session.id);
    if (!claim.ok) {
      toWaitingCapacity(
        ctx,
        reasons,
        session,
        claim.reason === 'capacity_full' ? slotWaitReason(ahead++) : 'target is not online',
      );
      continue;
    }
    // Processes stay within the cap: an idle one is suspended (it resumes by its conversation id later).
    if (active + lingering.length >= ctx.config.maxConcurrent) void stopRun(ctx, lingering.shift()!.id);
    load[placement.targetId] = (load[placement.targetId] ?? 0) + 1;
    memory.promise(placement.targetId, need.bytes);
    store.updateSession(session.id, { targetId: placement.targetId });
    const started = report(ctx, session.id, { type: 'slot-claimed' });
    if (!started) continue;
    ctx.probe?.('slot-claimed');
    active++;
    launch(started);
  }
}

/**
 * Memory admission's view of the targets for one pass: each agent's need (its learned peak), and per target
 * its MemAvailable as last probed, less the headroom promised to the sessions there — each one's peak less
 * what the probe saw it use (all of it for one not measured yet), kept current as the pass places more — and
 * its floor.
 */
function memoryLedger(ctx: Context, targets: readonly Target[], activeSessions: readonly Session[]) {
  const peaks = ctx.store.agentMemoryPeaks();
  const need = (agent: string): MemoryNeed => ({
    agent,
    bytes: peaks[agent] ?? ctx.config.health.defaultMemoryNeedBytes,
  });
  const promised: Record<string, number> = {};
  const measured = new Map(targets.map((target) => [target.id, target.health?.sessionRss ?? {}]));
  for (const session of activeSessions) {
    if (!session.targetId) continue;
    const using = measured.get(session.targetId)?.[session.id] ?? 0;
    const headroom = Math.max(0, need(session.agent).bytes - using);
    promised[session.targetId] = (promised[session.targetId] ?? 0) + headroom;
  }
  return {
    need,
    room: (targetId: string): MemoryRoom | null => {
      const target = targets.find((candidate) => candidate.id === targetId);
      if (!target?.health) return null;
      return {
        availableBytes: target.health.memAvailableBytes,
        promisedBytes: promised[targetId] ?? 0,
        floorBytes: target.memoryFloorBytes ?? 0,
      };
    },
    promise(targetId: string, bytes: number) {
      promised[targetId] = (promised[targetId] ?? 0) + bytes;
    },
  };
}

/** Records why a session waits, only when the reason changed (no event storm on idle ticks). */
function explain(reasons: Reasons, session: Pick<Session, 'id' | 'statusReason'>, reason: string): void {
  if (session.statusReason !== reason) reasons.push({ id: session.id, patch: { statusReason: reason } });
}

/**
 * A queued session moves to waiting_capacity; one already waiting only has its reason refreshed. Decided on
 * the row this pass read (the pure reducer), so a long queue costs no store read per session per pass.
 */
function toWaitingCapacity(ctx: Context, reasons: Reasons, session: Session, reason: string): void {
  const fact = { type: 'no-slot', reason } as const;
  if (nextSessionStatus(session, fact) && report(ctx, session.id, fact)) return;
  explain(reasons, session, reason);
}
