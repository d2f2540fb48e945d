export {};
export { createGitPreparer } from './git-preparer.js';
export type { GitPrepareRequest, GitPreparerSettings, GitWorkspace } from './git-preparer.js';
