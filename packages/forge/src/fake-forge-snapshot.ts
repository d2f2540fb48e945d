import { z } from 'zod';
import type { StoredRepo } from './fake-forge-state.js';

/** The fake forge's whole state as plain JSON, so a demo's pull requests survive a restart. */
export const fakeForgeSnapshotSchema = z.object({
  nextId: z.number().int().positive(),
  repos: z.record(
    z.string(),
    z.object({
      // Snapshots written before repositories had one: `main`, the only base the fake used then.
      defaultBranch: z.string().min(1).default('main'),
      branches: z.record(z.string(), z.string()),
      pulls: z.array(
        z.object({
          number: z.number().int().positive(),
          branch: z.string(),
          baseBranch: z.string(),
          title: z.string(),
          state: z.enum(['open', 'closed']),
          mergedSha: z.string().nullable(),
        }),
      ),
      items: z.array(
        z.object({
          id: z.number().int(),
          number: z.number().int(),
          kind: z.enum(['review', 'review_comment', 'comment']),
          author: z.string(),
          body: z.string(),
          reviewState: z.enum(['approved', 'changes_requested', 'commented']).nullable(),
          createdAt: z.number(),
        }),
      ),
      checks: z.array(
        z.object({
          id: z.number().int(),
          sha: z.string(),
          name: z.string(),
          summary: z.string(),
          conclusion: z.enum(['success', 'failure']),
          createdAt: z.number(),
        }),
      ),
    }),
  ),
});
export type FakeForgeSnapshot = z.infer<typeof fakeForgeSnapshotSchema>;

export function snapshotRepos(repos: ReadonlyMap<string, StoredRepo>, nextId: number): FakeForgeSnapshot {
  return {
    nextId,
    repos: Object.fromEntries(
      [...repos].map(([name, repo]) => [
        name,
        {
          defaultBranch: repo.defaultBranch,
          branches: Object.fromEntries(repo.branches),
          pulls: repo.pulls.map((pull) => ({ ...pull })),
          items: repo.items.map((item) => ({ ...item })),
          checks: repo.checks.map((check) => ({ ...check })),
        },
      ]),
    ),
  };
}

export function restoreRepos(snapshot: FakeForgeSnapshot): Map<string, StoredRepo> {
  return new Map(
    Object.entries(snapshot.repos).map(([name, repo]) => [
      name,
      {
        defaultBranch: repo.defaultBranch,
        branches: new Map(Object.entries(repo.branches)),
        pulls: repo.pulls,
        items: repo.items,
        checks: repo.checks,
      },
    ]),
  );
}
