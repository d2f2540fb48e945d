import {
  activeSessionStatuses,
  agentNameSchema,
  branchSchema,
  budgetLimitsSchema,
  type EventData,
  emptyGuardCounters,
  emptyUsage,
  guardCountersSchema,
  idSchema,
  interactivitySchema,
  OrchaError,
  repoSchema,
  type Session,
  type SessionRole,
  type SessionStatus,
  sessionMachine,
  sessionRoleSchema,
  usageSchema,
  type WaitingSession,
  workspaceKindSchema,
} from '@orcha/model';
import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toSession, toWaitingSession } from './rows.js';
import { locks, pendingInput, sessions, targetSlots } from './schema.js';

type Emit = (event: EventData) => void;

const createSessionInput = z.object({
  objectiveId: idSchema('objective'),
  parentId: idSchema('session').nullish(),
  role: sessionRoleSchema,
  agent: agentNameSchema,
  title: z.string().trim().min(1).max(200),
  prompt: z.string().min(1).max(100_000),
  dependsOn: z.array(idSchema('session')).max(100).optional(),
  pinnedTarget: z.string().min(1).max(200).nullish(),
  workspaceKind: workspaceKindSchema.optional(),
  repo: repoSchema.nullish(),
  baseBranch: branchSchema.nullish(),
  pullRequestId: idSchema('pullRequest').nullish(),
  interactivity: interactivitySchema.optional(),
  budget: budgetLimitsSchema.nullish(),
});
export type NewSession = z.input<typeof createSessionInput>;

/** Fields orcha updates as a session runs. `agent` changes only on a usage fallback. */
const sessionPatch = z
  .object({
    agent: agentNameSchema,
    providerSessionId: z.string().max(500).nullable(),
    attachCommand: z.string().max(2_000).nullable(),
    attachName: z.string().max(200).nullable(),
    usage: usageSchema,
    counters: guardCountersSchema,
    result: z.string().max(200_000).nullable(),
    lastActivity: z.string().max(1_000).nullable(),
    targetId: idSchema('target').nullable(),
    workspaceId: idSchema('workspace').nullable(),
    interactivity: interactivitySchema,
    statusReason: z.string().max(2_000).nullable(),
  })
  .partial()
  .strict();
export type SessionPatch = z.infer<typeof sessionPatch>;

/** Statuses in which a session holds no process, so no target slot either (idle sessions give theirs back). */
const slotless: readonly SessionStatus[] = ['queued', 'waiting_capacity', 'paused', 'waiting_input'];

export function insertSession(
  ctx: StoreContext,
  emit: Emit,
  data: Omit<
    Session,
    | 'id'
    | 'status'
    | 'statusReason'
    | 'targetId'
    | 'workspaceId'
    | 'providerSessionId'
    | 'attachCommand'
    | 'attachName'
    | 'result'
    | 'lastActivity'
    | 'messageCount'
    | 'createdAt'
    | 'updatedAt'
    | 'startedAt'
    | 'endedAt'
    | 'budgetLevel'
  >,
): Session {
  const now = ctx.clock();
  const session: Session = {
    ...data,
    id: ctx.ids('session'),
    status: 'queued',
    statusReason: null,
    targetId: null,
    workspaceId: null,
    providerSessionId: null,
    attachCommand: null,
    attachName: null,
    result: null,
    lastActivity: null,
    messageCount: 0,
    budgetLevel: 0,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    endedAt: null,
  };
  ctx.db
    .insert(sessions)
    .values({
      ...session,
      dependsOn: JSON.stringify(session.dependsOn),
      usage: JSON.stringify(session.usage),
      counters: JSON.stringify(session.counters),
      budget: session.budget === null ? null : JSON.stringify(session.budget),
    })
    .run();
  emit({
    type: 'session-create',
    objectiveId: session.objectiveId,
    sessionId: session.id,
    role: session.role,
    agent: session.agent,
  });
  return session;
}

export function sessionQueries(ctx: StoreContext) {
  // The hottest read of all (every tool call, status report and scheduler pass): built and prepared once.
  const byId = ctx.db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  // The scheduler reads the queue by status on every pass: one prepared statement per set of statuses.
  const statusQueries = new Map<string, ReturnType<typeof prepareByStatuses>>();
  const prepareByStatuses = (statuses: readonly SessionStatus[]) =>
    ctx.db
      .select()
      .from(sessions)
      .where(inArray(sessions.status, [...statuses]))
      .orderBy(asc(sessions.createdAt), asc(sessions.id))
      .prepare();
  // The scheduler's whole queue on every pass: only the columns its order and first checks read.
  const waiting = ctx.db
    .select({
      id: sessions.id,
      role: sessions.role,
      status: sessions.status,
      statusReason: sessions.statusReason,
      createdAt: sessions.createdAt,
      startedAt: sessions.startedAt,
      dependsOn: sessions.dependsOn,
    })
    .from(sessions)
    .where(inArray(sessions.status, ['queued', 'waiting_capacity']))
    .orderBy(asc(sessions.createdAt), asc(sessions.id))
    .prepare();
  const byStatuses = (statuses: readonly SessionStatus[]) => {
    const key = statuses.join(',');
    const cached = statusQueries.get(key);
    if (cached) return cached;
    const query = prepareByStatuses(statuses);
    statusQueries.set(key, query);
    return query;
  };
  // Every status change: one prepared update (started/ended stamped only when given), and the clean-ups of
  // sessions that stop holding a slot or end.
  const setStatus = ctx.db
    .update(sessions)
    .set({
      status: sql`${sql.placeholder('status')}`,
      statusReason: sql`${sql.placeholder('statusReason')}`,
      updatedAt: sql`${sql.placeholder('updatedAt')}`,
      startedAt: sql`coalesce(${sessions.startedAt}, ${sql.placeholder('startedAt')})`,
      endedAt: sql`coalesce(${sql.placeholder('endedAt')}, ${sessions.endedAt})`,
    })
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  const releaseSlot = ctx.db
    .delete(targetSlots)
    .where(eq(targetSlots.sessionId, sql.placeholder('id')))
    .prepare();
  const releaseLocks = ctx.db
    .delete(locks)
    .where(eq(locks.ownerSessionId, sql.placeholder('id')))
    .prepare();
  const dropInbox = ctx.db
    .delete(pendingInput)
    .where(eq(pendingInput.sessionId, sql.placeholder('id')))
    .prepare();
  const get = (id: string): Session => {
    const row = byId.get({ id });
    if (!row) throw new OrchaError('not_found', `no session ${id}`);
    return toSession(row);
  };

  // Session updates (activity, usage, wait reasons: many a second) prepared once per set of fields.
  const updates = new Map<string, ReturnType<typeof prepareUpdate>>();
  const prepareUpdate = (fields: readonly string[]) =>
    ctx.db
      .update(sessions)
      .set(Object.fromEntries(fields.map((field) => [field, sql.placeholder(field)])) as never)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare();
  const updateQuery = (fields: readonly string[]) => {
    const key = fields.join(',');
    let query = updates.get(key);
    if (!query) {
      query = prepareUpdate(fields);
      updates.set(key, query);
    }
    return query;
  };
  const updateSession = (id: string, patch: SessionPatch): Session => {
    const data = parseInput(sessionPatch, patch, 'session update');
    return ctx.write((emit) => {
      const current = get(id);
      const fields = Object.keys(data);
      if (fields.length === 0) return current;
      const row: Record<string, unknown> = { ...data, updatedAt: ctx.clock() };
      if (data.usage) row.usage = JSON.stringify(data.usage);
      if (data.counters) row.counters = JSON.stringify(data.counters);
      updateQuery(Object.keys(row).sort()).run({ ...row, id });
      emit({
        type: 'session-update',
        objectiveId: current.objectiveId,
        sessionId: id,
        fields,
        ...(data.usage ? { usage: data.usage } : {}),
      });
      return { ...current, ...data, updatedAt: row.updatedAt as number };
    });
  };

  return {
    getSession: get,

    listSessions(
      filter: {
        objectiveId?: string | undefined;
        statuses?: readonly SessionStatus[] | undefined;
        role?: SessionRole;
        ids?: readonly string[];
      } = {},
    ): Session[] {
      if (filter.statuses?.length && !filter.objectiveId && !filter.role && !filter.ids)
        return byStatuses(filter.statuses).all().map(toSession);
      const where: SQL[] = [];
      if (filter.objectiveId) where.push(eq(sessions.objectiveId, filter.objectiveId));
      if (filter.statuses) {
        if (filter.statuses.length === 0) return [];
        where.push(inArray(sessions.status, [...filter.statuses]));
      }
      if (filter.role) where.push(eq(sessions.role, filter.role));
      if (filter.ids) {
        if (filter.ids.length === 0) return [];
        where.push(inArray(sessions.id, [...filter.ids]));
      }
      return ctx.db
        .select()
        .from(sessions)
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(sessions.createdAt), asc(sessions.id))
        .all()
        .map(toSession);
    },

    listWaiting(): WaitingSession[] {
      return waiting.all().map((row) => toWaitingSession(row as Parameters<typeof toWaitingSession>[0]));
    },

    createSession(input: z.input<typeof createSessionInput>): Session {
      const data = parseInput(createSessionInput, input, 'session');
      return ctx.write((emit) => {
        const objective = ctx.sqlite
          .prepare('SELECT status FROM objectives WHERE id = ?')
          .get(data.objectiveId) as { status: string } | undefined;
        if (!objective) throw new OrchaError('not_found', `no objective ${data.objectiveId}`);
        const dependsOn = [...new Set(data.dependsOn ?? [])];
        if (dependsOn.length) {
          const found = ctx.db
            .select({ id: sessions.id })
            .from(sessions)
            .where(and(inArray(sessions.id, dependsOn), eq(sessions.objectiveId, data.objectiveId)))
            .all();
          if (found.length !== dependsOn.length) {
            const missing = dependsOn.filter((id) => !found.some((row) => row.id === id));
            throw new OrchaError(
              'invalid_argument',
              `dependsOn names sessions not in this objective: ${missing.join(', ')}`,
            );
          }
        }
        if (
          data.parentId &&
          !ctx.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, data.parentId)).get()
        ) {
          throw new OrchaError('invalid_argument', `no parent session ${data.parentId}`);
        }
        return insertSession(ctx, emit, {
          objectiveId: data.objectiveId,
          parentId: data.parentId ?? null,
          role: data.role,
          agent: data.agent,
          title: data.title,
          prompt: data.prompt,
          dependsOn,
          pinnedTarget: data.pinnedTarget ?? null,
          workspaceKind: data.workspaceKind ?? 'scratch',
          repo: data.repo ?? null,
          baseBranch: data.baseBranch ?? null,
          pullRequestId: data.pullRequestId ?? null,
          interactivity: data.interactivity ?? 'interactive',
          usage: emptyUsage,
          counters: emptyGuardCounters,
          budget: data.budget ?? null,
        });
      });
    },

    /**
     * Moves a session to `to`, validating the transition inside the transaction: an invalid one (a late
     * `completed` after `canceled`) throws `invalid_transition` and writes nothing. Leaving the running
     * states releases the target slot; a terminal status also releases the session's locks.
     */
    updateSessionStatus(
      id: string,
      to: SessionStatus,
      options: { reason?: string | null; expectedFrom?: SessionStatus } = {},
    ): Session {
      return ctx.write((emit) => {
        const current = get(id);
        if (options.expectedFrom && current.status !== options.expectedFrom) {
          throw new OrchaError(
            'invalid_transition',
            `session ${id} is ${current.status}, not ${options.expectedFrom}`,
          );
        }
        sessionMachine.assertTransition(current.status, to);
        const now = ctx.clock();
        const reason = options.reason === undefined ? current.statusReason : options.reason;
        const terminal = sessionMachine.isTerminal(to);
        const patch = {
          status: to,
          statusReason: reason,
          updatedAt: now,
          ...(activeSessionStatuses.includes(to) && current.startedAt === null ? { startedAt: now } : {}),
          ...(terminal ? { endedAt: now } : {}),
        };
        setStatus.run({
          id,
          status: to,
          statusReason: reason,
          updatedAt: now,
          startedAt: patch.startedAt ?? null,
          endedAt: patch.endedAt ?? null,
        });
        if (terminal || slotless.includes(to)) releaseSlot.run({ id });
        if (terminal) {
          releaseLocks.run({ id });
          // A session that ended takes no more messages: its inbox goes with it.
          dropInbox.run({ id });
        }
        emit({
          type: 'session-status-change',
          objectiveId: current.objectiveId,
          sessionId: id,
          from: current.status,
          to,
          reason,
        });
        return { ...current, ...patch };
      });
    },

    updateSession,

    /** Several updates in one transaction (the scheduler's reasons for a whole queue, one commit). */
    updateSessions(updates: readonly { id: string; patch: SessionPatch }[]): void {
      ctx.write(() => {
        for (const { id, patch } of updates) updateSession(id, patch);
      });
    },

    /** Stores the hash of a session's MCP bearer token (the token itself is never stored). */
    setSessionTokenHash(id: string, hash: string): void {
      parseInput(z.string().regex(/^[0-9a-f]{64}$/), hash, 'token hash');
      const changed = ctx.db.update(sessions).set({ tokenHash: hash }).where(eq(sessions.id, id)).run();
      if (changed.changes === 0) throw new OrchaError('not_found', `no session ${id}`);
    },

    getSessionTokenHash(id: string): string | null {
      return (
        ctx.db.select({ hash: sessions.tokenHash }).from(sessions).where(eq(sessions.id, id)).get()?.hash ??
        null
      );
    },
  };
}
