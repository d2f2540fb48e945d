export type { GitHubForgeSettings } from './github-forge.js';
export { createGitHubForge } from './github-forge.js';
export { githubToken } from './github-token.js';
export { parseRepo } from './repo-ref.js';
