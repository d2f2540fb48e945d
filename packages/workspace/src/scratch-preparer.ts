import { posix } from 'node:path';
import type { Executor } from '@orcha/exec';
import { describeIssues, idSchema, OrchaError } from '@orcha/model';
import { z } from 'zod';
import { confinedPath } from './confined-path.js';
import type { PreparedWorkspace, PrepareRequest } from './preparer.js';

const absolute = z
  .string()
  .min(1)
  .refine((path) => path.startsWith('/'), 'must be an absolute path');

// A session id is one safe path segment: `../x` or `/etc` never reach the file system.
const scratchSchema = z.object({ workRoot: absolute, sessionId: idSchema('session') });
const removeSchema = z.object({ workRoot: absolute, paths: z.array(absolute).max(10_000) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OrchaError('invalid_argument', describeIssues(parsed.error.issues));
  return parsed.data;
}

/** A plain directory per session (`<workRoot>/sessions/<sessionId>`), no git. */
export async function prepareScratch(request: PrepareRequest): Promise<PreparedWorkspace> {
  const { workRoot, sessionId } = parse(scratchSchema, request);
  const path = confinedPath(workRoot, 'sessions', sessionId);
  // A file operation, not a command: no process per workspace (SFTP on SSH targets).
  await request.executor
    .files(workRoot)
    .mkdir(path)
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new OrchaError('unavailable', `could not create ${path}: ${reason}`);
    });
  return { kind: 'scratch', path, branch: null, baseBranch: null, headSha: null };
}

/**
 * Removes workspace directories, one command per batch (a process or an SSH channel each, not one per
 * workspace). Only directories where `prepare` puts workspaces (`<workRoot>/sessions/<name>`) are removed:
 * never the work root, the sessions directory or the mirrors; one path outside refuses the whole request.
 */
export async function removeWorkspace(request: {
  executor: Executor;
  workRoot: string;
  paths: readonly string[];
}): Promise<void> {
  const { workRoot, paths: given } = parse(removeSchema, request);
  const sessions = confinedPath(workRoot, 'sessions');
  const paths = given.map((path) => {
    const resolved = posix.resolve(path);
    if (posix.dirname(resolved) !== sessions)
      throw new OrchaError('forbidden', `${path} is not a workspace under ${sessions}`);
    return resolved;
  });
  for (let from = 0; from < paths.length; from += removeBatch) {
    const batch = paths.slice(from, from + removeBatch);
    const removed = await request.executor.run('rm', ['-rf', '--', ...batch]);
    if (removed.code !== 0)
      throw new OrchaError('unavailable', `could not remove ${batch.join(', ')}: ${removed.stderr.trim()}`);
  }
}

/** Workspaces per `rm`: a command line stays far below any system's limit. */
const removeBatch = 200;
