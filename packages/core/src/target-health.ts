import type { Executor } from '@orcha/exec';
import { activeSessionStatuses, type Target, type TargetHealth } from '@orcha/model';
import { endOrphanedRunsOn } from './agent-executor.js';
import type { HealthConfig } from './config.js';
import type { Context } from './context.js';
import { targetRebootedMessage } from './prompts.js';
import { stopRun } from './session-control.js';
import { report } from './session-status.js';
import { steer } from './steering.js';
import { doctorTarget } from './target-ops.js';
import { cleanupWorkspaces } from './workspace-cleanup.js';

/** What one probe of a target read. */
export interface TargetProbe {
  bootId: string | null;
  memAvailableBytes: number | null;
  load1: number | null;
  diskFreeBytes: number | null;
  tmuxAlive: boolean | null;
  /** Resident memory of each session's processes (those whose environment carries its ORCHA_SESSION_ID). */
  sessionRss: Record<string, number>;
}

/** The variable every agent process gets (see the session driver): how the probe finds a session's processes. */
export const sessionIdVariable = 'ORCHA_SESSION_ID';

// One round trip. The script is constant; the boot id file, the work root, the tmux socket and the meminfo
// file arrive as $1..$4, never spliced into the text. The work root may not exist yet: free space is read on
// its nearest existing ancestor (the volume it will be on). A session's processes are those whose
// environment names it; their resident memory is summed per session.
const probeScript = [
  'b=$(head -n 1 -- "$1" 2>/dev/null)',
  'm=$(awk \'/^MemAvailable:/ { print $2; exit }\' "$4" 2>/dev/null)',
  "l=$(cut -d ' ' -f 1 /proc/loadavg 2>/dev/null)",
  'p="$2"; while [ ! -e "$p" ] && [ "$p" != / ] && [ -n "$p" ]; do p=$(dirname -- "$p"); done',
  'd=$(df -Pk -- "$p" 2>/dev/null | awk \'NR == 2 { print $4 }\')',
  't=-; if [ -n "$3" ]; then if tmux -L "$3" list-sessions >/dev/null 2>&1; then t=1; else t=0; fi; fi',
  'printf "boot=%s\\nmem=%s\\nload=%s\\ndisk=%s\\ntmux=%s\\n" "$b" "$m" "$l" "$d" "$t"',
  `grep -s -a -z -H '^${sessionIdVariable}=' /proc/[0-9]*/environ | tr '\\000' '\\n' | while IFS=: read -r f v; do`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  '  p=${f#/proc/}; p=${p%/environ}',
  '  r=$(awk \'/^VmRSS:/ { print $2; exit }\' "/proc/$p/status" 2>/dev/null)',
  `  [ -n "$r" ] && printf 'rss=%s %s\\n' "\${v#${sessionIdVariable}=}" "$r"`,
  'done',
  'true',
].join('\n');

/** Reads a target's vital signs in one command on its executor (a pooled SSH round trip on SSH targets). */
export async function probeTarget(
  executor: Executor,
  target: Pick<Target, 'workRoot'>,
  options: Pick<HealthConfig, 'bootIdPath' | 'memInfoPath' | 'tmuxSocket' | 'probeTimeoutMs'>,
): Promise<TargetProbe> {
  const result = await executor.run(
    'sh',
    [
      '-c',
      probeScript,
      'orcha-probe',
      options.bootIdPath,
      target.workRoot,
      options.tmuxSocket ?? '',
      options.memInfoPath,
    ],
    { timeoutMs: options.probeTimeoutMs },
  );
  if (result.code !== 0) throw new Error(`the probe exited ${result.code}: ${result.stderr.trim()}`);
  return parseProbe(result.stdout);
}

/** The probe's `key=value` lines; a figure the machine could not give is null. */
export function parseProbe(stdout: string): TargetProbe {
  const sessionRss: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const match = /^rss=([A-Za-z0-9_-]{1,100}) (\d+)$/.exec(line.trim());
    if (match) sessionRss[match[1]!] = (sessionRss[match[1]!] ?? 0) + Number(match[2]) * 1024;
  }
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => line.split(/=(.*)/s, 2) as [string, string | undefined])
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, value!.trim()]),
  );
  const number = (key: string, scale = 1) => {
    const value = Number.parseFloat(values.get(key) ?? '');
    return Number.isFinite(value) && value >= 0 ? value * scale : null;
  };
  const tmux = values.get('tmux');
  if (!values.has('boot')) throw new Error(`the probe answered nothing usable: ${stdout.slice(0, 200)}`);
  return {
    bootId: values.get('boot') || null,
    memAvailableBytes: number('mem', 1024),
    load1: number('load'),
    diskFreeBytes: number('disk', 1024),
    tmuxAlive: tmux === '1' ? true : tmux === '0' ? false : null,
    sessionRss,
  };
}

export interface HealthMonitorOptions {
  /** A clock that does not advance while the machine sleeps (default `performance.now`). */
  monotonic?: (() => number) | undefined;
}

export interface HealthMonitor {
  /** Probes on a schedule until stopped. */
  start(): void;
  stop(): Promise<void>;
  /**
   * Probes the targets that are due (every one not disabled, with `all`) and records what they answered;
   * resolves once recorded.
   */
  probe(options?: { all?: boolean }): Promise<void>;
  /**
   * Probes one target now (joining a probe already under way) and, while it does not answer, again each
   * interval for up to `reconnectWaitMs`. The session driver asks this before it believes an agent on an
   * SSH target crashed, so a reboot — seen by the first probe that answers — is handled as one.
   */
  confirm(targetId: string): Promise<'answered' | 'reconnected' | 'missed'>;
  /** Whether placement must wait now: after a wake from sleep, until every target was probed again. */
  holdsPlacement(): boolean;
}

interface Beat {
  inFlight: Promise<'answered' | 'missed'> | null;
  /** When this target is due for its next probe (the monotonic clock). */
  dueAt: number;
  backoffMs: number;
}

/**
 * The heartbeat of targets. Every online (or draining) target is probed each interval with one round trip
 * (boot id, MemAvailable, load, free disk in the work root, whether orcha's tmux server is alive), and the
 * figures are kept on the target. A target that misses `missedProbesOffline` probes in a row goes offline
 * with the reason — the feed, the dashboard and the notification outbox say so, and nothing new is placed
 * there. It is probed again with backoff and, once it answers, its doctor re-runs and brings it back online.
 * A changed boot id means the machine rebooted: see `handleReboot`. The wall clock running ahead of the
 * monotonic one (a laptop waking from sleep) holds all placement until every target has been probed again.
 */
export function createHealthMonitor(ctx: Context, options: HealthMonitorOptions = {}): HealthMonitor {
  const monotonic = options.monotonic ?? (() => performance.now());
  const config = () => ctx.config.health;
  const beats = new Map<string, Beat>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let pass: Promise<void> | null = null;
  let lastBeat: { wall: number; mono: number } | null = null;

  const beatOf = (targetId: string): Beat => {
    let beat = beats.get(targetId);
    if (!beat) {
      beat = { inFlight: null, dueAt: 0, backoffMs: config().probeIntervalMs };
      beats.set(targetId, beat);
    }
    return beat;
  };

  /** Whether the heartbeat watches this target now: online ones, and the offline ones it took offline. */
  const watched = (target: Target) =>
    target.status === 'online' ||
    target.status === 'draining' ||
    (target.status === 'offline' && Boolean(target.health?.offlineReason));

  const probeOne = (target: Target): Promise<'answered' | 'missed'> => {
    const beat = beatOf(target.id);
    beat.inFlight ??= (async () => {
      const settings = config();
      let outcome: { ok: true; probe: TargetProbe } | { ok: false; error: string };
      try {
        const executor = ctx.executorFor(target);
        const probe = await withTimeout(
          probeTarget(executor, target, settings),
          settings.probeTimeoutMs + 500,
        );
        outcome = { ok: true, probe };
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      try {
        return await record(target.id, outcome);
      } catch (error) {
        ctx.log('error', 'could not record a probe', { targetId: target.id, error: String(error) });
        return 'missed' as const;
      }
    })().finally(() => {
      beat.inFlight = null;
    });
    return beat.inFlight;
  };

  const record = async (
    targetId: string,
    outcome: { ok: true; probe: TargetProbe } | { ok: false; error: string },
  ): Promise<'answered' | 'missed'> => {
    const settings = config();
    const target = ctx.store.getTarget(targetId);
    const beat = beatOf(targetId);
    const before = target.health;
    const now = ctx.clock();
    if (!outcome.ok) {
      const missed = (before?.missed ?? 0) + 1;
      let offlineReason = before?.offlineReason ?? null;
      const goesOffline =
        target.status !== 'offline' && target.status !== 'disabled' && missed >= settings.missedProbesOffline;
      if (goesOffline) offlineReason = `missed ${missed} probes in a row: ${outcome.error}`.slice(0, 500);
      ctx.store.setTargetHealth(targetId, { ...healthBase(before, now), missed, offlineReason });
      if (target.status === 'offline') beat.backoffMs = Math.min(settings.maxBackoffMs, beat.backoffMs * 2);
      if (goesOffline && offlineReason) {
        ctx.store.updateTargetStatus(targetId, 'offline', offlineReason);
        ctx.log('warn', `target ${target.name} is offline`, { targetId, reason: offlineReason });
        beat.backoffMs = settings.probeIntervalMs;
      }
      beat.dueAt = monotonic() + (target.status === 'offline' ? beat.backoffMs : settings.probeIntervalMs);
      return 'missed';
    }
    const { probe } = outcome;
    const health: TargetHealth = {
      at: now,
      answeredAt: now,
      ...probe,
      // A figure the machine did not give this time keeps its last value: never "unknown, so unlimited".
      bootId: probe.bootId ?? before?.bootId ?? null,
      memAvailableBytes: probe.memAvailableBytes ?? before?.memAvailableBytes ?? null,
      diskFreeBytes: probe.diskFreeBytes ?? before?.diskFreeBytes ?? null,
      missed: 0,
      offlineReason: before?.offlineReason ?? null,
    };
    ctx.store.setTargetHealth(targetId, health);
    beat.dueAt = monotonic() + settings.probeIntervalMs;
    learnPeaks(probe.sessionRss);
    if (target.kind === 'ssh') await sweepOrphans(target);
    const floor = target.diskFloorBytes ?? 0;
    if (floor > 0 && probe.diskFreeBytes !== null && probe.diskFreeBytes < floor) await freeDisk(target);
    if (before?.bootId && probe.bootId && before.bootId !== probe.bootId) {
      await handleReboot(ctx, ctx.store.getTarget(targetId));
    }
    if (target.status === 'offline' && health.offlineReason) {
      // It answers again: the doctor decides whether it is fit to come back. The reason is cleared first,
      // so the target never shows online with a reason to be offline; it is kept if the doctor fails.
      ctx.store.setTargetHealth(targetId, { ...health, offlineReason: null });
      const { target: doctored, doctor } = await doctorTarget(ctx, targetId);
      if (doctored.status === 'online') {
        beat.backoffMs = settings.probeIntervalMs;
        ctx.log('info', `target ${target.name} is back online`, { targetId });
      } else {
        const failed = doctor.checks.find((check) => check.required && !check.ok);
        const offlineReason = `answers again, but its doctor fails: ${failed?.name ?? 'a check'}: ${failed?.detail ?? ''}`;
        ctx.store.setTargetHealth(targetId, { ...health, offlineReason: offlineReason.slice(0, 500) });
        beat.backoffMs = Math.min(settings.maxBackoffMs, beat.backoffMs * 2);
        beat.dueAt = monotonic() + beat.backoffMs;
      }
    }
    return 'answered';
  };

  /**
   * A target that answers is rid of the agent runs earlier orchas left there, while this orcha still owes
   * it that sweep (it did not answer at start-up): before its doctor may bring it back online.
   */
  const sweepOrphans = async (target: Target) => {
    try {
      const ended = await endOrphanedRunsOn(ctx, target);
      if (ended > 0)
        ctx.log('info', `ended ${ended} agent runs an earlier orcha left on ${target.name}`, {
          targetId: target.id,
        });
    } catch (error) {
      ctx.log('warn', `could not end the agent runs left on ${target.name} yet`, {
        targetId: target.id,
        error: String(error),
      });
    }
  };

  /** The highest resident memory seen per agent, kept in the store: what the next session of it needs. */
  const peaks = new Map<string, number>();
  const learnPeaks = (sessionRss: Record<string, number>) => {
    const ids = Object.keys(sessionRss);
    if (ids.length === 0) return;
    if (peaks.size === 0)
      for (const [agent, bytes] of Object.entries(ctx.store.agentMemoryPeaks())) peaks.set(agent, bytes);
    for (const session of ctx.store.listSessions({ ids })) {
      const bytes = sessionRss[session.id] ?? 0;
      if (bytes <= (peaks.get(session.agent) ?? 0)) continue;
      peaks.set(session.agent, bytes);
      ctx.store.recordAgentPeak(session.agent, bytes);
    }
  };

  /** Below the disk floor: finished workspaces go first; the next probe sees what that freed. */
  const cleaning = new Set<string>();
  const freeDisk = async (target: Target) => {
    if (cleaning.has(target.id)) return;
    cleaning.add(target.id);
    try {
      const { removed } = await cleanupWorkspaces(ctx, { targetId: target.id });
      ctx.log('warn', `target ${target.name} is below its disk floor`, { targetId: target.id, removed });
      if (removed > 0) beatOf(target.id).dueAt = 0;
    } catch (error) {
      ctx.log('warn', 'workspace clean-up failed', { targetId: target.id, error: String(error) });
    } finally {
      cleaning.delete(target.id);
    }
  };

  const probe = async ({ all = false } = {}): Promise<void> => {
    const now = monotonic();
    const due = ctx.store
      .listTargets()
      .filter((target) => (all ? target.status !== 'disabled' : watched(target)))
      .filter((target) => all || beatOf(target.id).dueAt <= now);
    await Promise.all(due.map(probeOne));
  };

  let holding: Promise<void> | null = null;
  /**
   * Whether placement must wait. Compares both clocks since the last look: after a wake from sleep (the wall
   * clock ran on, the monotonic one did not) every target is probed before anything is placed (the
   * scheduler asks this first, so whichever timer fires first after the wake holds placement).
   */
  const holdsPlacement = (): boolean => {
    if (!running) return false;
    if (holding) return true;
    const settings = config();
    const wall = ctx.clock();
    const mono = monotonic();
    const previous = lastBeat;
    lastBeat = { wall, mono };
    if (!previous) return false;
    // Asleep, the monotonic clock stops and the wall clock does not: the two part by the time slept.
    const gap = wall - previous.wall - (mono - previous.mono);
    if (gap <= settings.clockJumpMs && wall >= previous.wall - settings.clockJumpMs) return false;
    ctx.log('warn', 'the clock jumped (a wake from sleep?): probing every target before placing anything', {
      gapMs: gap,
    });
    holding = probe({ all: true })
      .catch((error) => ctx.log('error', 'probing after a clock jump failed', { error: String(error) }))
      .finally(() => {
        holding = null;
        ctx.wake();
      });
    return true;
  };

  const tick = async (): Promise<void> => {
    if (holdsPlacement()) await holding;
    else await probe();
  };

  const loop = () => {
    if (!running) return;
    pass = tick()
      .catch((error) => ctx.log('error', 'heartbeat failed', { error: String(error) }))
      .finally(() => {
        pass = null;
        if (!running) return;
        // The next beat is timed from the end of this one, so a slow pass never overlaps the next.
        timer = setTimeout(loop, Math.min(config().probeIntervalMs, 1_000));
        timer.unref?.();
      });
  };

  return {
    start() {
      if (running) return;
      running = true;
      lastBeat = null;
      loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await pass;
      await Promise.allSettled([...beats.values()].map((beat) => beat.inFlight));
    },
    probe,
    holdsPlacement,
    async confirm(targetId) {
      const settings = config();
      const until = monotonic() + settings.reconnectWaitMs;
      for (let attempt = 0; ; attempt++) {
        if ((await probeOne(ctx.store.getTarget(targetId))) === 'answered')
          return attempt === 0 ? 'answered' : 'reconnected';
        if (!running || ctx.closing || monotonic() >= until) return 'missed';
        await new Promise((resolve) => setTimeout(resolve, settings.probeIntervalMs));
      }
    },
  };
}

function healthBase(before: TargetHealth | null, now: number): TargetHealth {
  return {
    at: now,
    answeredAt: before?.answeredAt ?? null,
    bootId: before?.bootId ?? null,
    memAvailableBytes: before?.memAvailableBytes ?? null,
    load1: before?.load1 ?? null,
    diskFreeBytes: before?.diskFreeBytes ?? null,
    tmuxAlive: before?.tmuxAlive ?? null,
    sessionRss: before?.sessionRss ?? {},
    missed: before?.missed ?? 0,
    offlineReason: before?.offlineReason ?? null,
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * A target rebooted: every process there is gone. Each session that had a process there goes back to the
 * queue — resuming its conversation on the same target (its workspace is on that disk) when the agent gave
 * an id for it, else starting again as unstarted work — and the objective's manager is told.
 */
export async function handleReboot(ctx: Context, target: Target): Promise<void> {
  const sessions = ctx.store
    .listSessions({ statuses: [...activeSessionStatuses, 'waiting_input'] })
    .filter((session) => session.targetId === target.id);
  ctx.log('warn', `target ${target.name} rebooted`, { targetId: target.id, sessions: sessions.length });
  const requeued: { title: string; parentId: string | null; resumed: boolean }[] = [];
  for (const session of sessions) {
    // Its process is gone: forget it (without waiting; the next run of the session waits for it).
    void stopRun(ctx, session.id);
    const resumable = Boolean(ctx.providers.get(session.agent) && session.providerSessionId);
    const moved = report(ctx, session.id, { type: 'target-rebooted', target: target.name, resumable });
    if (moved) ctx.store.updateSession(session.id, { attachCommand: null });
    if (moved && session.role === 'worker')
      requeued.push({ title: session.title, parentId: session.parentId, resumed: resumable });
  }
  const byManager = new Map<string, typeof requeued>();
  for (const worker of requeued)
    if (worker.parentId) byManager.set(worker.parentId, [...(byManager.get(worker.parentId) ?? []), worker]);
  for (const [managerId, workers] of byManager) {
    await steer(ctx, managerId, targetRebootedMessage(target.name, workers), 'orcha').catch((error) =>
      ctx.log('warn', 'could not tell the manager its target rebooted', { managerId, error: String(error) }),
    );
  }
}
