import type { Executor } from '@orcha/exec';
import { type DoctorReport, isOrchaError, OrchaError, type Target, type TargetStatus } from '@orcha/model';
import type { Context } from './context.js';
import { type DoctorOptions, runDoctor } from './target-doctor.js';
import { agentEnvironment, orchaUrlOn } from './target-reach.js';
import { cleanupWorkspaces } from './workspace-cleanup.js';

export interface TargetInput {
  name: string;
  kind: 'local' | 'ssh';
  host?: string | null;
  user?: string | null;
  port?: number | null;
  identityFile?: string | null;
  workRoot: string;
  capacitySessions?: number;
  bootstrap?: string | null;
  /** Memory kept free on the machine (memory admission). */
  memoryFloorBytes?: number | null;
  /** Free space kept on the work root's volume (no new workspaces below it). */
  diskFloorBytes?: number | null;
}

/**
 * Registers a machine: stores it offline, runs its bootstrap command, then the doctor. It goes online only
 * when every required check passes; the report says what is missing either way.
 */
export async function registerTarget(
  ctx: Context,
  input: TargetInput,
): Promise<{ target: Target; doctor: DoctorReport }> {
  const target = ctx.store.createTarget({
    name: input.name,
    kind: input.kind,
    host: input.host ?? null,
    user: input.user ?? null,
    port: input.port ?? null,
    identityFile: input.identityFile ?? null,
    workRoot: input.workRoot,
    bootstrap: input.bootstrap ?? null,
    capacitySessions: input.capacitySessions ?? 4,
    memoryFloorBytes: input.memoryFloorBytes ?? null,
    diskFloorBytes: input.diskFloorBytes ?? null,
    status: 'offline',
  });
  return doctorTarget(ctx, target.id);
}

/**
 * Re-runs a target's bootstrap and doctor, removing finished workspaces on the way (so the disk check
 * reports what is left). An offline target whose checks pass comes online; an online one that fails goes
 * offline; draining and disabled targets keep their status.
 */
export async function doctorTarget(
  ctx: Context,
  targetId: string,
): Promise<{ target: Target; doctor: DoctorReport }> {
  const target = ctx.store.getTarget(targetId);
  let executor: Executor | null = null;
  let unreachable: string | null = null;
  let bootstrapFailure: string | null = null;
  try {
    executor = ctx.executorFor(target);
  } catch (error) {
    unreachable = error instanceof Error ? error.message : String(error);
  }
  let reachable = executor !== null;
  if (executor && target.bootstrap) {
    try {
      const result = await executor.run('sh', ['-c', target.bootstrap], { timeoutMs: 300_000 });
      if (result.code !== 0)
        bootstrapFailure = `bootstrap exited ${result.code}: ${result.stderr.trim().slice(0, 500)}`;
    } catch {
      // Could not run anything at all: the connectivity check below says why and how to fix it.
      reachable = false;
    }
  }
  const workspaces =
    executor && reachable && !bootstrapFailure
      ? await cleanupWorkspaces(ctx, { targetId: target.id })
      : undefined;
  const now = ctx.clock();
  const report: DoctorReport =
    executor === null
      ? {
          at: now,
          ok: false,
          checks: [
            {
              name: 'connectivity',
              ok: false,
              required: true,
              detail: unreachable ?? 'unreachable',
              fix: 'check the target settings (host, user, identity file)',
            },
          ],
        }
      : await runDoctor(executor, target, {
          now,
          agentCliRequired: ctx.config.agentCliRequired,
          tmuxRequired: target.kind === 'ssh' || ctx.config.tmuxRequired,
          workspaces,
          ...doctorReach(ctx, target, executor),
        });
  // A doctor that could not reach the target keeps the login PATH found earlier.
  if (report.loginPath === undefined && target.doctor?.loginPath) report.loginPath = target.doctor.loginPath;
  if (bootstrapFailure) {
    report.checks.unshift({
      name: 'bootstrap',
      ok: false,
      required: true,
      detail: bootstrapFailure,
      fix: 'fix the bootstrap command (it runs with sh -c on the target before every doctor run)',
    });
    report.ok = false;
  }
  ctx.store.setTargetDoctor(target.id, report);
  const current = ctx.store.getTarget(target.id);
  if (report.ok && current.status === 'offline') ctx.store.updateTargetStatus(target.id, 'online');
  if (!report.ok && current.status === 'online') ctx.store.updateTargetStatus(target.id, 'offline');
  ctx.wake();
  return { target: ctx.store.getTarget(target.id), doctor: report };
}

/** The agent CLIs the doctor checks (the real ones configured) and, on SSH targets, the way back to orcha. */
function doctorReach(
  ctx: Context,
  target: Target,
  executor: Executor,
): Pick<DoctorOptions, 'agents' | 'providerChecks' | 'remote'> {
  const entries = ctx.config.agentEnvironment;
  // The login PATH is found anew by this run: environments are taken without the one stored earlier.
  const fresh = { ...target, doctor: null };
  const agents = ctx.config.agentCliRequired
    ? [...ctx.providers.keys()]
        .filter((name) => name === 'claude' || name === 'codex')
        .map((name) => ({ name, env: agentEnvironment(entries, name, fresh) }))
    : [];
  // Agents that check themselves (ACP: start and answer initialize) are checked wherever they may run.
  const providerChecks = [...ctx.providers].flatMap(([name, provider]) =>
    provider.check
      ? [{ env: agentEnvironment(entries, name, fresh), check: provider.check.bind(provider) }]
      : [],
  );
  if (target.kind !== 'ssh') return { agents, providerChecks };
  return {
    agents,
    providerChecks,
    remote: {
      path: agentEnvironment(entries, '', fresh).PATH ?? null,
      orchaUrl: () => orchaUrlOn(ctx, target, executor),
    },
  };
}

/** A target after its host key was trusted, with the line written to orcha's known_hosts. */
export interface TrustedHostKey {
  target: Target;
  doctor: DoctorReport;
  trusted: { fingerprint: string; knownHostsLine: string };
}

/**
 * Trusts an SSH target's host key — the explicit action a person takes after comparing fingerprints. The
 * host is contacted again and its key must be the one given (so a key that changed in between is never
 * trusted by mistake); the key is written to orcha's known_hosts and the doctor re-runs, which records the
 * outcome on the target and in the event feed.
 */
export async function trustHostKey(
  ctx: Context,
  targetId: string,
  fingerprint: string,
): Promise<TrustedHostKey> {
  const target = ctx.store.getTarget(targetId);
  if (target.kind !== 'ssh')
    throw new OrchaError(
      'invalid_argument',
      `target ${target.name} is not an SSH target; it has no host key`,
    );
  const executor = ctx.executorFor(target);
  if (!executor.hostKey || !executor.trustPresentedHostKey)
    throw new OrchaError('capability_unsupported', `the executor of ${target.name} cannot trust host keys`);
  const refusal = await executor.run('true', [], { timeoutMs: 20_000 }).then(
    () => null,
    (error: unknown) => error,
  );
  if (refusal === null)
    throw new OrchaError('conflict', `the host key of ${target.name} is already trusted`, {
      fingerprint: executor.hostKey()?.fingerprint,
    });
  if (!isOrchaError(refusal, 'forbidden') || !refusal.details?.hostKey) {
    throw new OrchaError(
      'unavailable',
      `could not reach ${target.name} to read its host key: ${refusal instanceof Error ? refusal.message : String(refusal)}`,
    );
  }
  const presented = String(refusal.details.fingerprint);
  if (presented !== fingerprint) {
    throw new OrchaError(
      'conflict',
      `${target.name} presents the host key ${presented}, not ${fingerprint}; nothing was trusted`,
      { fingerprint: presented },
    );
  }
  const knownHostsLine = await executor.trustPresentedHostKey();
  ctx.log('info', `trusted the host key of target ${target.name}`, {
    targetId: target.id,
    fingerprint,
    was: refusal.details.hostKey,
  });
  const doctored = await doctorTarget(ctx, target.id);
  return { ...doctored, trusted: { fingerprint, knownHostsLine } };
}

/** drain / disable / enable. Enabling runs nothing: a target comes online only through a passing doctor. */
export function setTargetStatus(
  ctx: Context,
  targetId: string,
  to: Extract<TargetStatus, 'draining' | 'disabled' | 'online'>,
): Target {
  const target = ctx.store.getTarget(targetId);
  if (to === 'online' && target.doctor && !target.doctor.ok) {
    throw new OrchaError('conflict', `target ${target.name} failed its doctor; run it again once fixed`);
  }
  const updated = ctx.store.updateTargetStatus(targetId, to);
  ctx.wake();
  return updated;
}
