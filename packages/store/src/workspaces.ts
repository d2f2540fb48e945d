import {
  branchSchema,
  idSchema,
  OrchaError,
  repoSchema,
  type Workspace,
  workspaceKindSchema,
  workspaceStatusSchema,
} from '@orcha/model';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toWorkspace } from './rows.js';
import { workspaces } from './schema.js';

const createInput = z.object({
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullish(),
  targetId: idSchema('target'),
  kind: workspaceKindSchema,
  path: z.string().min(1).max(4_000),
  repo: repoSchema.nullish(),
  branch: branchSchema.nullish(),
  baseBranch: branchSchema.nullish(),
  status: workspaceStatusSchema.optional(),
});
export type NewWorkspace = z.input<typeof createInput>;

const patchInput = z
  .object({
    status: workspaceStatusSchema,
    path: z.string().min(1).max(4_000),
    branch: branchSchema.nullable(),
  })
  .partial()
  .strict();
export type WorkspacePatch = z.input<typeof patchInput>;

const commitInput = z.object({
  sha: z.string().regex(/^[0-9a-f]{7,64}$/, 'a commit sha'),
  files: z.number().int().nonnegative(),
});

export function workspaceQueries(ctx: StoreContext) {
  const get = (id: string): Workspace => {
    const row = ctx.db.select().from(workspaces).where(eq(workspaces.id, id)).get();
    if (!row) throw new OrchaError('not_found', `no workspace ${id}`);
    return toWorkspace(row);
  };
  return {
    getWorkspace: get,
    createWorkspace(input: z.input<typeof createInput>): Workspace {
      const data = parseInput(createInput, input, 'workspace');
      return ctx.write((emit) => {
        const now = ctx.clock();
        const workspace: Workspace = {
          id: ctx.ids('workspace'),
          objectiveId: data.objectiveId,
          sessionId: data.sessionId ?? null,
          targetId: data.targetId,
          kind: data.kind,
          path: data.path,
          repo: data.repo ?? null,
          branch: data.branch ?? null,
          baseBranch: data.baseBranch ?? null,
          status: data.status ?? 'preparing',
          createdAt: now,
          updatedAt: now,
        };
        ctx.db.insert(workspaces).values(workspace).run();
        emit({
          type: 'workspace-update',
          objectiveId: workspace.objectiveId,
          workspaceId: workspace.id,
          status: workspace.status,
        });
        return workspace;
      });
    },
    updateWorkspace(id: string, patch: z.input<typeof patchInput>): Workspace {
      const data = parseInput(patchInput, patch, 'workspace update');
      return ctx.write((emit) => {
        const current = get(id);
        ctx.db
          .update(workspaces)
          .set({ ...data, updatedAt: ctx.clock() })
          .where(eq(workspaces.id, id))
          .run();
        const updated = get(id);
        emit({
          type: 'workspace-update',
          objectiveId: current.objectiveId,
          workspaceId: id,
          status: updated.status,
        });
        return updated;
      });
    },
    /** Announces a commit orcha made in the workspace (what the agent left uncommitted). */
    recordWorkspaceCommit(id: string, commit: { sha: string; files: number }): void {
      const data = parseInput(commitInput, commit, 'workspace commit');
      ctx.write((emit) => {
        const workspace = get(id);
        emit({
          type: 'workspace-commit',
          objectiveId: workspace.objectiveId,
          sessionId: workspace.sessionId,
          workspaceId: id,
          sha: data.sha,
          files: data.files,
        });
      });
    },
    listWorkspaces(filter: { objectiveId?: string; targetId?: string } = {}): Workspace[] {
      const where: SQL[] = [];
      if (filter.objectiveId) where.push(eq(workspaces.objectiveId, filter.objectiveId));
      if (filter.targetId) where.push(eq(workspaces.targetId, filter.targetId));
      return ctx.db
        .select()
        .from(workspaces)
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(workspaces.createdAt))
        .all()
        .map(toWorkspace);
    },
  };
}
