export { confinedPath } from './confined-path.js';
export type { GitPrepareRequest, GitPreparerSettings, GitWorkspace } from './git-preparer.js';
export { createGitPreparer } from './git-preparer.js';
export type { PreparedWorkspace, PrepareRequest, Preparer } from './preparer.js';
export type { CommitOutcome, GitIdentity } from './workspace-commits.js';
export {
  commitWorkspaceChanges,
  defaultGitIdentity,
  gitIdentitySchema,
} from './workspace-commits.js';
export { createScratchPreparer, createWorkspacePreparer } from './workspace-preparer.js';
