export type { GitHttpServer } from './git-http-server.js';
export { git, startGitHttpServer } from './git-http-server.js';
export type { LoopbackSshd } from './sshd.js';
export { startSshd } from './sshd.js';
