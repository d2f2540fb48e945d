import {
  type DoctorReport,
  doctorReportSchema,
  OrchaError,
  type Target,
  type TargetHealth,
  type TargetStatus,
  targetHealthSchema,
  targetKindSchema,
  targetMachine,
  targetNameSchema,
  targetStatusSchema,
} from '@orcha/model';
import { asc, eq, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toTarget } from './rows.js';
import { agentMemory, sessions, targetSlots, targets } from './schema.js';

const createTargetInput = z.object({
  name: targetNameSchema,
  kind: targetKindSchema,
  host: z.string().min(1).max(255).nullish(),
  user: z.string().min(1).max(64).nullish(),
  port: z.number().int().min(1).max(65_535).nullish(),
  identityFile: z.string().min(1).max(1_000).nullish(),
  workRoot: z.string().min(1).max(1_000),
  bootstrap: z.string().max(10_000).nullish(),
  capacitySessions: z.number().int().min(1).max(1_000),
  memoryFloorBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
  diskFloorBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullish(),
  status: targetStatusSchema.optional(),
});
export type NewTarget = z.input<typeof createTargetInput>;

export type ClaimResult = { ok: true } | { ok: false; reason: 'target_unavailable' | 'capacity_full' };

export function targetQueries(ctx: StoreContext) {
  // Placement reads a target and claims a slot for every session it starts: built and prepared once.
  const byIdOrName = ctx.db
    .select()
    .from(targets)
    .where(or(eq(targets.id, sql.placeholder('key')), eq(targets.name, sql.placeholder('key'))))
    .prepare();
  const slotOf = ctx.db
    .select()
    .from(targetSlots)
    .where(eq(targetSlots.sessionId, sql.placeholder('sessionId')))
    .prepare();
  const sessionExists = ctx.db
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('sessionId')))
    .prepare();
  const insertSlot = ctx.db
    .insert(targetSlots)
    .values({
      sessionId: sql.placeholder('sessionId'),
      targetId: sql.placeholder('targetId'),
      claimedAt: sql.placeholder('claimedAt'),
    })
    .prepare();
  const find = (idOrName: string): Target | null => {
    const row = byIdOrName.get({ key: idOrName });
    return row ? toTarget(row) : null;
  };
  const get = (idOrName: string): Target => {
    const target = find(idOrName);
    if (!target) throw new OrchaError('not_found', `no target ${idOrName}`);
    return target;
  };
  const countSlots = ctx.sqlite.prepare('SELECT COUNT(*) AS used FROM target_slots WHERE target_id = ?');

  const createTarget = (input: z.input<typeof createTargetInput>): Target => {
    const data = parseInput(createTargetInput, input, 'target');
    return ctx.write((emit) => {
      if (find(data.name)) throw new OrchaError('conflict', `a target named ${data.name} exists`);
      const now = ctx.clock();
      const target: Target = {
        id: ctx.ids('target'),
        name: data.name,
        kind: data.kind,
        host: data.host ?? null,
        user: data.user ?? null,
        port: data.port ?? null,
        identityFile: data.identityFile ?? null,
        workRoot: data.workRoot,
        bootstrap: data.bootstrap ?? null,
        capacitySessions: data.capacitySessions,
        memoryFloorBytes: data.memoryFloorBytes ?? null,
        diskFloorBytes: data.diskFloorBytes ?? null,
        status: data.status ?? 'offline',
        doctor: null,
        health: null,
        createdAt: now,
        updatedAt: now,
      };
      ctx.db
        .insert(targets)
        .values({ ...target, doctor: null, health: null })
        .run();
      emit({ type: 'target-create', targetId: target.id, name: target.name });
      return target;
    });
  };

  return {
    getTarget: get,
    findTarget: find,
    listTargets: (): Target[] =>
      ctx.db.select().from(targets).orderBy(asc(targets.createdAt)).all().map(toTarget),
    createTarget,

    /** The machine orcha runs on, created online on first start; its capacity follows the configuration. */
    ensureLocalTarget(options: { workRoot: string; capacity: number; name?: string }): Target {
      const name = options.name ?? 'local';
      // One transaction: replicas starting together on one database make it once.
      return ctx.write(() => {
        const existing = find(name);
        if (!existing)
          return createTarget({
            name,
            kind: 'local',
            workRoot: options.workRoot,
            capacitySessions: options.capacity,
            status: 'online',
          });
        ctx.db
          .update(targets)
          .set({ capacitySessions: options.capacity, workRoot: options.workRoot })
          .where(eq(targets.id, existing.id))
          .run();
        return get(existing.id);
      });
    },

    updateTargetStatus(id: string, to: TargetStatus, reason?: string): Target {
      return ctx.write((emit) => {
        const current = get(id);
        if (current.status === to) return current;
        targetMachine.assertTransition(current.status, to);
        ctx.db
          .update(targets)
          .set({ status: to, updatedAt: ctx.clock() })
          .where(eq(targets.id, current.id))
          .run();
        emit({
          type: 'target-status-change',
          targetId: current.id,
          from: current.status,
          to,
          ...(reason ? { reason: reason.slice(0, 500) } : {}),
        });
        return get(current.id);
      });
    },

    setTargetDoctor(id: string, report: DoctorReport): Target {
      const data = parseInput(doctorReportSchema, report, 'doctor report');
      return ctx.write((emit) => {
        const current = get(id);
        ctx.db
          .update(targets)
          .set({ doctor: JSON.stringify(data), updatedAt: ctx.clock() })
          .where(eq(targets.id, current.id))
          .run();
        emit({ type: 'target-doctor', targetId: current.id, ok: data.ok });
        return get(current.id);
      });
    },

    setTargetHealth(id: string, health: TargetHealth): Target {
      const data = parseInput(targetHealthSchema, health, 'target health');
      return ctx.write(() => {
        const current = get(id);
        ctx.db
          .update(targets)
          .set({ health: JSON.stringify(data) })
          .where(eq(targets.id, current.id))
          .run();
        return get(current.id);
      });
    },

    /**
     * Atomically takes a slot on a target for a session: refused when the target is not online or is full.
     * Runs as one IMMEDIATE transaction, so concurrent claimers (threads or processes) never exceed capacity.
     */
    claimTargetSlot(targetId: string, sessionId: string): ClaimResult {
      return ctx.write(() => {
        const target = get(targetId);
        if (target.status !== 'online') return { ok: false, reason: 'target_unavailable' } as const;
        const held = slotOf.get({ sessionId });
        if (held?.targetId === target.id) return { ok: true } as const;
        if (held)
          throw new OrchaError('conflict', `session ${sessionId} already holds a slot on ${held.targetId}`);
        if (!sessionExists.get({ sessionId })) throw new OrchaError('not_found', `no session ${sessionId}`);
        const { used } = countSlots.get(target.id) as { used: number };
        if (used >= target.capacitySessions) return { ok: false, reason: 'capacity_full' } as const;
        insertSlot.run({ sessionId, targetId: target.id, claimedAt: ctx.clock() });
        return { ok: true } as const;
      });
    },

    releaseTargetSlot(sessionId: string): void {
      ctx.write(() => ctx.db.delete(targetSlots).where(eq(targetSlots.sessionId, sessionId)).run());
    },

    /** The learned memory need of each agent: the highest resident memory one of its sessions reached. */
    agentMemoryPeaks(): Record<string, number> {
      const rows = ctx.db.select().from(agentMemory).all();
      return Object.fromEntries(rows.map((row) => [row.agent, row.peakRssBytes]));
    },

    /** Records a measured peak of an agent's session; only a higher one changes what is kept. */
    recordAgentPeak(agent: string, bytes: number): void {
      const peak = Math.round(
        parseInput(z.number().nonnegative().max(Number.MAX_SAFE_INTEGER), bytes, 'peak'),
      );
      ctx.write(() =>
        ctx.db
          .insert(agentMemory)
          .values({ agent, peakRssBytes: peak, updatedAt: ctx.clock() })
          .onConflictDoUpdate({
            target: agentMemory.agent,
            set: {
              // The larger of two values: SQLite's two-argument max, PostgreSQL's greatest.
              peakRssBytes: sql`${sql.raw(ctx.dialect === 'postgres' ? 'greatest' : 'max')}(${agentMemory.peakRssBytes}, ${peak})`,
              updatedAt: ctx.clock(),
            },
          })
          .run(),
      );
    },

    /** Slots in use per target id. */
    targetLoad(): Record<string, number> {
      const rows = ctx.db
        .select({ targetId: targetSlots.targetId, used: sql<number>`count(*)` })
        .from(targetSlots)
        .groupBy(targetSlots.targetId)
        .all();
      return Object.fromEntries(rows.map((row) => [row.targetId, row.used]));
    },
  };
}
