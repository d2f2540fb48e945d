export type { FakeForge, FakeForgeOptions } from './fake-forge.js';
export { createFakeForge } from './fake-forge.js';
export type { FakeForgeSnapshot } from './fake-forge-snapshot.js';
export type { FakeForgeChange, ReviewState } from './fake-forge-state.js';
export type {
  ChecksState,
  Forge,
  ForgeFeedback,
  ForgePullRequest,
  ForgeRepository,
  PullRequestRef,
  PushRequest,
} from './forge.js';
export {
  commentRequestSchema,
  openPullRequestSchema,
  parseForgeRequest,
  pullRequestRefSchema,
  pushRequestSchema,
  repositoryRequestSchema,
} from './forge-requests.js';
