import { posix } from 'node:path';
import { OrchaError } from '@orcha/model';
import type { Executor } from '@orcha/exec';
import type { PreparedWorkspace, PrepareRequest } from './preparer.js';
import { confinedPath } from './confined-path.js';

/** A plain directory per session (`<workRoot>/sessions/<sessionId>`), no git. */
export async function prepareScratch(request: PrepareRequest): Promise<PreparedWorkspace> {
  const path = confinedPath(request.workRoot, 'sessions', request.sessionId);
  const made = await request.executor.run('mkdir', ['-p', path]);
  if (made.code !== 0) throw new OrchaError('unavailable', `could not create ${path}: ${made.stderr.trim()}`);
  return { path, branch: null, baseBranch: null, headSha: null };
}

/** Removes a workspace directory, only when it lies under the work root. */
export async function removeWorkspace(request: { executor: Executor; workRoot: string; path: string }): Promise<void> {
  const root = posix.resolve(request.workRoot);
  const path = posix.resolve(request.path);
  if (!path.startsWith(`${root}/`)) throw new OrchaError('forbidden', `${request.path} is outside the work root`);
  const removed = await request.executor.run('rm', ['-rf', '--', path]);
  if (removed.code !== 0) throw new OrchaError('unavailable', `could not remove ${path}: ${removed.stderr.trim()}`);
}
