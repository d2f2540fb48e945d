export type {
  ChecksState,
  Forge,
  ForgeFeedback,
  ForgePullRequest,
  PullRequestRef,
  PushRequest,
} from './forge.js';
