import {
  agentNameSchema,
  type BudgetLevel,
  type BudgetLimits,
  branchSchema,
  budgetLimitsSchema,
  emptyGuardCounters,
  emptyUsage,
  interactivitySchema,
  type Objective,
  type ObjectiveStatus,
  OrchaError,
  objectiveMachine,
  repoSchema,
  type Session,
} from '@orcha/model';
import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toObjective } from './rows.js';
import { objectives, sessions } from './schema.js';
import { insertSession } from './sessions.js';

const createObjectiveInput = z.object({
  title: z.string().trim().min(1).max(200),
  prompt: z.string().max(100_000),
  repo: repoSchema.nullish(),
  baseBranch: branchSchema.nullish(),
  agent: agentNameSchema,
  interactivity: interactivitySchema.optional(),
  budget: budgetLimitsSchema.nullish(),
  /** The manager session's own budget (within the objective's). */
  managerBudget: budgetLimitsSchema.nullish(),
});
export type NewObjective = z.input<typeof createObjectiveInput>;

export function objectiveQueries(ctx: StoreContext) {
  const byId = ctx.db
    .select()
    .from(objectives)
    .where(eq(objectives.id, sql.placeholder('id')))
    .prepare();
  const get = (id: string): Objective => {
    const row = byId.get({ id });
    if (!row) throw new OrchaError('not_found', `no objective ${id}`);
    return toObjective(row);
  };

  return {
    getObjective: get,

    listObjectives(): Objective[] {
      return ctx.db.select().from(objectives).orderBy(desc(objectives.createdAt)).all().map(toObjective);
    },

    /** Creates an objective and its manager session in one transaction. */
    createObjective(input: z.input<typeof createObjectiveInput>): { objective: Objective; manager: Session } {
      const data = parseInput(createObjectiveInput, input, 'objective');
      return ctx.write((emit) => {
        const now = ctx.clock();
        const objective: Objective = {
          id: ctx.ids('objective'),
          title: data.title,
          prompt: data.prompt,
          repo: data.repo ?? null,
          baseBranch: data.baseBranch ?? null,
          agent: data.agent,
          status: 'active',
          summary: null,
          budget: data.budget ?? null,
          budgetLevel: 0,
          createdAt: now,
          updatedAt: now,
        };
        ctx.db
          .insert(objectives)
          .values({ ...objective, budget: objective.budget && JSON.stringify(objective.budget) })
          .run();
        emit({ type: 'objective-create', objectiveId: objective.id, title: objective.title });
        const manager = insertSession(ctx, emit, {
          objectiveId: objective.id,
          parentId: null,
          role: 'manager',
          agent: data.agent,
          title: `Manager: ${data.title}`.slice(0, 200),
          prompt: data.prompt ? `${data.title}\n\n${data.prompt}` : data.title,
          dependsOn: [],
          pinnedTarget: null,
          workspaceKind: 'scratch',
          repo: data.repo ?? null,
          baseBranch: data.baseBranch ?? null,
          pullRequestId: null,
          interactivity: data.interactivity ?? 'interactive',
          usage: emptyUsage,
          counters: emptyGuardCounters,
          budget: data.managerBudget ?? null,
        });
        return { objective, manager };
      });
    },

    /**
     * Sets an objective's (or, with `sessionId`, one session's) budget and the threshold it reached; one
     * `budget-change` event says both. Leaving `budget` out keeps it.
     */
    setBudget(
      scope: { objectiveId: string; sessionId?: string | null },
      patch: { budget?: BudgetLimits | null; level?: BudgetLevel },
    ): void {
      const budget =
        patch.budget === undefined
          ? undefined
          : parseInput(budgetLimitsSchema.nullable(), patch.budget, 'budget');
      ctx.write((emit) => {
        const table = scope.sessionId ? sessions : objectives;
        const id = scope.sessionId ?? scope.objectiveId;
        const current = ctx.db
          .select({ budget: table.budget, budgetLevel: table.budgetLevel })
          .from(table)
          .where(eq(table.id, id))
          .get();
        if (!current)
          throw new OrchaError('not_found', `no ${scope.sessionId ? 'session' : 'objective'} ${id}`);
        const next = {
          budget: budget === undefined ? current.budget : budget && JSON.stringify(budget),
          budgetLevel: patch.level ?? current.budgetLevel,
        };
        ctx.db.update(table).set(next).where(eq(table.id, id)).run();
        emit({
          type: 'budget-change',
          objectiveId: scope.objectiveId,
          sessionId: scope.sessionId ?? null,
          budget: next.budget === null ? null : (JSON.parse(next.budget) as BudgetLimits),
          from: current.budgetLevel as BudgetLevel,
          level: next.budgetLevel as BudgetLevel,
        });
      });
    },

    updateObjectiveStatus(id: string, to: ObjectiveStatus, summary?: string | null): Objective {
      return ctx.write((emit) => {
        const current = get(id);
        objectiveMachine.assertTransition(current.status, to);
        const updatedAt = ctx.clock();
        ctx.db
          .update(objectives)
          .set({ status: to, updatedAt, ...(summary !== undefined ? { summary } : {}) })
          .where(eq(objectives.id, id))
          .run();
        emit({ type: 'objective-status-change', objectiveId: id, from: current.status, to });
        return { ...current, status: to, updatedAt, ...(summary !== undefined ? { summary } : {}) };
      });
    },
  };
}
