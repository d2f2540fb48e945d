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
const removeSchema = z.object({ workRoot: absolute, path: absolute });

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
 * Removes a workspace directory. Only a directory where `prepare` puts workspaces
 * (`<workRoot>/sessions/<name>`) is removed: never the work root, the sessions directory or the mirrors.
 */
export async function removeWorkspace(request: {
  executor: Executor;
  workRoot: string;
  path: string;
}): Promise<void> {
  const { workRoot, path: given } = parse(removeSchema, request);
  const sessions = confinedPath(workRoot, 'sessions');
  const path = posix.resolve(given);
  if (posix.dirname(path) !== sessions)
    throw new OrchaError('forbidden', `${given} is not a workspace under ${sessions}`);
  const removed = await request.executor.run('rm', ['-rf', '--', path]);
  if (removed.code !== 0)
    throw new OrchaError('unavailable', `could not remove ${path}: ${removed.stderr.trim()}`);
}
