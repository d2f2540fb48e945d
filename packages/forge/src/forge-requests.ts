import type { Executor } from '@orcha/exec';
import { branchSchema, describeIssues, OrchaError, repoSchema } from '@orcha/model';
import { z } from 'zod';

const executorSchema = z.custom<Executor>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Executor).run === 'function',
  'an Executor',
);

/** What every forge accepts for `pushBranch`; backends validate with it so they refuse the same input. */
export const pushRequestSchema = z.object({
  executor: executorSchema,
  cwd: z.string().min(1),
  repo: repoSchema,
  branch: branchSchema,
  force: z.boolean().optional(),
  reason: z.string().max(2000).optional(),
});

export const openPullRequestSchema = z
  .object({
    repo: repoSchema,
    branch: branchSchema,
    baseBranch: branchSchema,
    title: z.string().trim().min(1).max(1000),
    // GitHub's own limit for a body.
    body: z.string().max(65_536),
  })
  .refine((request) => request.branch !== request.baseBranch, {
    message: 'a pull request needs a branch other than its base',
    path: ['branch'],
  });

export const repositoryRequestSchema = z.object({ repo: repoSchema });

export const pullRequestRefSchema = z.object({
  repo: repoSchema,
  number: z.number().int().positive(),
});

export const commentRequestSchema = pullRequestRefSchema.extend({
  body: z.string().trim().min(1).max(65_536),
});

/** Parses a forge request, turning zod's issues into `OrchaError('invalid_argument')`. */
export function parseForgeRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OrchaError('invalid_argument', describeIssues(parsed.error.issues));
  return parsed.data;
}
