import { posix } from 'node:path';
import { OrchaError } from '@orcha/model';

/** Joins `parts` under `workRoot` (absolute) and refuses any result that escapes it. */
export function confinedPath(workRoot: string, ...parts: string[]): string {
  if (!workRoot.startsWith('/'))
    throw new OrchaError('invalid_argument', 'the work root must be an absolute path');
  const root = posix.resolve(workRoot);
  const path = posix.resolve(root, ...parts);
  if (!path.startsWith(`${root}/`)) throw new OrchaError('forbidden', 'workspace path escapes the work root');
  return path;
}
