import { OrchaError, type DoctorReport, type Target, type TargetStatus } from '@orcha/model';
import type { Context } from './context.js';
import { runDoctor } from './target-doctor.js';

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
}

/**
 * Registers a machine: stores it offline, runs its bootstrap command, then the doctor. It goes online only
 * when every required check passes; the report says what is missing either way.
 */
export async function registerTarget(ctx: Context, input: TargetInput): Promise<{ target: Target; doctor: DoctorReport }> {
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
    status: 'offline',
  });
  return doctorTarget(ctx, target.id);
}

/** Re-runs a target's bootstrap and doctor; an offline target whose checks pass comes online. */
export async function doctorTarget(ctx: Context, targetId: string): Promise<{ target: Target; doctor: DoctorReport }> {
  const target = ctx.store.getTarget(targetId);
  let executor: ReturnType<Context['executorFor']> | null = null;
  let bootstrapFailure: string | null = null;
  try {
    executor = ctx.executorFor(target);
    if (target.bootstrap) {
      const result = await executor.run('sh', ['-c', target.bootstrap], { timeoutMs: 300_000 });
      if (result.code !== 0) bootstrapFailure = `bootstrap exited ${result.code}: ${result.stderr.trim().slice(0, 500)}`;
    }
  } catch (error) {
    bootstrapFailure = error instanceof Error ? error.message : String(error);
  }
  const now = ctx.clock();
  const report: DoctorReport =
    executor === null
      ? {
          at: now,
          ok: false,
          checks: [{ name: 'connectivity', ok: false, required: true, detail: bootstrapFailure ?? 'unreachable', fix: null }],
        }
      : await runDoctor(executor, target, { now, agentCliRequired: ctx.config.agentCliRequired });
  if (bootstrapFailure && executor) {
    report.checks.unshift({ name: 'bootstrap', ok: false, required: true, detail: bootstrapFailure, fix: 'fix the bootstrap command' });
    report.ok = false;
  }
  ctx.store.setTargetDoctor(target.id, report);
  if (report.ok && target.status === 'offline') ctx.store.updateTargetStatus(target.id, 'online');
  if (!report.ok && target.status === 'online') ctx.store.updateTargetStatus(target.id, 'offline');
  ctx.wake();
  return { target: ctx.store.getTarget(target.id), doctor: report };
}

/** drain / disable / enable. Enabling runs nothing: a target comes online only through a passing doctor. */
export function setTargetStatus(ctx: Context, targetId: string, to: Extract<TargetStatus, 'draining' | 'disabled' | 'online'>): Target {
  const target = ctx.store.getTarget(targetId);
  if (to === 'online' && target.doctor && !target.doctor.ok) {
    throw new OrchaError('conflict', `target ${target.name} failed its doctor; run it again once fixed`);
  }
  const updated = ctx.store.updateTargetStatus(targetId, to);
  ctx.wake();
  return updated;
}
