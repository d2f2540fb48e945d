export type { GitHttpServer } from './git-http-server.js';
export { git, startGitHttpServer } from './git-http-server.js';
export { componentSchema, githubOpenApi, responseSchema, skeleton, validate } from './github-openapi.js';
export type { FakeGitHub } from './github-server.js';
export { startFakeGitHub } from './github-server.js';
export type { LoopbackSshd } from './sshd.js';
export { startSshd } from './sshd.js';
