import type { Executor } from '@orcha/exec';
import type { PullRequestState } from '@orcha/model';

/** The combined state of a pull request's checks on its current head. */
export type ChecksState = 'pending' | 'passing' | 'failing' | 'none';

/** A pull request as the forge sees it right now. */
export interface ForgePullRequest {
  number: number;
  url: string;
  state: PullRequestState;
  headSha: string;
  branch: string;
  baseBranch: string;
  title: string;
  checks: ChecksState;
}

/** One piece of feedback on a pull request; `externalId` is stable, so polling twice never duplicates it. */
export interface ForgeFeedback {
  externalId: string;
  kind: 'review' | 'review_comment' | 'comment' | 'check_failure';
  author: string;
  body: string;
  /** ms since epoch. */
  createdAt: number;
}

export interface PushRequest {
  /** Where the workspace lives: git runs there, on the workspace's target. */
  executor: Executor;
  cwd: string;
  /** `owner/name` or a clone URL. */
  repo: string;
  branch: string;
  force?: boolean | undefined;
  /** Why a force push is needed; callers check push safety (`evaluatePush`) before. */
  reason?: string | undefined;
}

/** A repository as the forge sees it. */
export interface ForgeRepository {
  /** The branch pull requests target unless told otherwise (GitHub's `default_branch`). */
  defaultBranch: string;
}

export interface PullRequestRef {
  repo: string;
  number: number;
}

/**
 * The Forge port: where branches are pushed and pull requests live (GitHub, or the in-memory fake).
 * Every implementation passes `runForgeContract` from `@orcha/forge/testing`. Failures are `OrchaError`s:
 * `invalid_argument` for a request that fails the schemas in `forge-requests.ts` (checked before anything
 * runs), `not_found` for an unknown repository or pull request, `conflict` when the forge refuses (a head or
 * base branch that does not exist, no commits between the base and the head, a PR already open for the
 * branch, a push that is not a fast-forward), `unavailable` when it cannot be reached.
 */
export interface Forge {
  /** A short name for logs and the dashboard (`fake`, `github`). */
  readonly name: string;
  /**
   * The repository's default branch: where an objective that names no base branch starts from and where its
   * pull requests go. A repository the forge does not have (or the credentials cannot see) is `not_found`.
   */
  getRepository(request: { repo: string }): Promise<ForgeRepository>;
  /**
   * Pushes the workspace's HEAD to `branch`; resolves with the pushed commit, which every open pull request
   * of that branch then shows as its head. Without `force`, a push that does not build on the branch's
   * current commit is `conflict`; a workspace without a commit is `conflict` too.
   */
  pushBranch(request: PushRequest): Promise<{ headSha: string }>;
  /**
   * Opens a pull request from a pushed `branch` into `baseBranch`; at most one is open per branch. Both
   * branches must exist and `branch` must have commits `baseBranch` lacks, else `conflict` (GitHub's 422).
   */
  openPullRequest(request: {
    repo: string;
    branch: string;
    baseBranch: string;
    title: string;
    body: string;
  }): Promise<ForgePullRequest>;
  /** The pull request's current state, head and checks. */
  getPullRequest(request: PullRequestRef): Promise<ForgePullRequest>;
  /** Reopens a closed, unmerged pull request; an open or merged one is `conflict`. */
  reopenPullRequest(request: PullRequestRef): Promise<ForgePullRequest>;
  /** Comments as us; our own comments never come back from `listFeedback`. */
  commentPullRequest(request: PullRequestRef & { body: string }): Promise<{ id: string }>;
  /**
   * Reviews asking for something, review comments, comments by others than us, and failed checks on the
   * current head, oldest first. Each item keeps its `externalId` across polls.
   */
  listFeedback(request: PullRequestRef): Promise<ForgeFeedback[]>;
}
