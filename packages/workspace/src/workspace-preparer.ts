import { OrchaError } from '@orcha/model';
import { createGitPreparer, type GitPreparerSettings } from './git-preparer.js';
import type { Preparer } from './preparer.js';
import { prepareScratch, removeWorkspace } from './scratch-preparer.js';

/**
 * The Preparer orcha uses: scratch directories always; isolated and pr_branch checkouts through git when
 * `git` settings are given (`--real-forge`), otherwise scratch directories stand in for them so the offline
 * demo runs without any repository.
 */
export function createWorkspacePreparer(options: { git?: GitPreparerSettings | undefined } = {}): Preparer {
  const git = options.git ? createGitPreparer(options.git) : null;
  return {
    async prepare(request) {
      if (request.kind === 'scratch' || !git) return prepareScratch(request);
      if (!request.repo || !request.baseBranch)
        throw new OrchaError(
          'invalid_argument',
          `a ${request.kind} workspace needs a repository and a base branch`,
        );
      // Without it the git preparer would invent a new branch name and fail to find it upstream.
      if (request.kind === 'pr_branch' && !request.branch)
        throw new OrchaError('invalid_argument', 'a pr_branch workspace needs the pull request branch');
      const prepared = await git.prepare({
        executor: request.executor,
        workRoot: request.workRoot,
        sessionId: request.sessionId,
        kind: request.kind,
        repo: request.repo,
        baseBranch: request.baseBranch,
        branch: request.branch,
        title: request.title,
      });
      return { kind: request.kind, ...prepared };
    },
    remove: removeWorkspace,
  };
}

/** Scratch directories only: every session gets `<workRoot>/sessions/<id>`. */
export function createScratchPreparer(): Preparer {
  return createWorkspacePreparer();
}
