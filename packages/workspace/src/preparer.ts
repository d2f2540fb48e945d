import type { Executor } from '@orcha/exec';
import type { WorkspaceKind } from '@orcha/model';

export interface PrepareRequest {
  /** The Executor of the session's placed target: the directory is made there. */
  executor: Executor;
  /** The target's work root (absolute); every workspace stays under it. */
  workRoot: string;
  objectiveId: string;
  sessionId: string;
  kind: WorkspaceKind;
  /** isolated and pr_branch: `owner/name` or a clone URL. */
  repo?: string | undefined;
  /** isolated: the branch to start from (fetched fresh). */
  baseBranch?: string | undefined;
  /** isolated: the new branch's name (default from the title); pr_branch: the pull request's branch. */
  branch?: string | undefined;
  /** Used to name the new branch. */
  title?: string | undefined;
}

export interface PreparedWorkspace {
  /** What was made: a preparer without git makes scratch directories for every kind. */
  kind: WorkspaceKind;
  /** Absolute path on the target. */
  path: string;
  branch: string | null;
  baseBranch: string | null;
  headSha: string | null;
}

/**
 * The Preparer port: gives a session a directory of its own on its target — a fresh isolated checkout, a
 * pull request's branch, or a scratch directory. Bad input (a hostile repo URL, branch or path) is refused
 * with `invalid_argument` or `forbidden` before anything runs; a missing repo or branch is `unavailable`.
 */
export interface Preparer {
  prepare(request: PrepareRequest): Promise<PreparedWorkspace>;
  /**
   * Deletes workspace directories made by `prepare`, in one command; refuses any path outside the work
   * root before anything is deleted.
   */
  remove(request: { executor: Executor; workRoot: string; paths: readonly string[] }): Promise<void>;
}
