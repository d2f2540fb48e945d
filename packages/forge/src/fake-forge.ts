import { branchSchema, describeIssues, OrchaError } from '@orcha/model';
import { z } from 'zod';
import { type FakeForgeSnapshot, fakeForgeSnapshotSchema } from './fake-forge-snapshot.js';
import {
  checkFeedback,
  createFakeForgeState,
  type FakeForgeChange,
  type ReviewState,
} from './fake-forge-state.js';
import type { Forge, ForgePullRequest } from './forge.js';
import {
  commentRequestSchema,
  openPullRequestSchema,
  parseForgeRequest,
  pullRequestRefSchema,
  pushRequestSchema,
  repositoryRequestSchema,
} from './forge-requests.js';
import { isFastForward, readWorkspaceHead } from './workspace-head.js';

export interface FakeForgeOptions {
  /** ms since epoch for feedback times; default `Date.now`. */
  clock?: (() => number) | undefined;
  /** The login our own comments are made as; comments by it are never feedback. Default `orcha`. */
  login?: string | undefined;
  /** Where pull request URLs point. Default `https://forge.invalid`. */
  baseUrl?: string | undefined;
  /**
   * Every well-formed repository name exists, with default branch `main` (the offline demo, where no
   * repository is real). Off: a repository exists once created with `createRepository` or pushed to.
   */
  anyRepository?: boolean | undefined;
}

/** The in-memory forge plus the controls a test or the offline demo uses to play the other people. */
export interface FakeForge extends Forge {
  /** Makes an empty repository (default branch `main` unless given); an existing one is left as it is. */
  createRepository(repo: string, options?: { defaultBranch?: string }): void;
  /** Merges an open pull request; its base branch then points at the merged head (a fast-forward). */
  merge(repo: string, number: number): void;
  /** Closes an open pull request without merging it. */
  close(repo: string, number: number): void;
  /** A review; approvals without a body are not feedback (as on GitHub). Default state `changes_requested`. */
  addReview(
    repo: string,
    number: number,
    review: { author: string; body: string; state?: ReviewState },
  ): void;
  /** A conversation comment by someone (comments by our own login are never feedback). */
  addComment(repo: string, number: number, comment: { author: string; body: string }): void;
  /** A comment on a line of a file; its feedback body reads `<path>: <body>`. */
  addReviewComment(
    repo: string,
    number: number,
    comment: { author: string; body: string; path: string },
  ): void;
  /** A failed check run on the pull request's current head. */
  failCheck(repo: string, number: number, check: { name: string; summary: string }): void;
  /** Every check on the current head passes (a passing `ci` run is added when there is none). */
  passChecks(repo: string, number: number): void;
  /** Every pull request, by repository, oldest first. */
  list(): (ForgePullRequest & { repo: string })[];
  /** Calls `listener` after each change; returns the function that stops it. */
  onChange(listener: (change: FakeForgeChange) => void): () => void;
  /** The whole state as plain JSON (to keep it across restarts). */
  snapshot(): FakeForgeSnapshot;
  /** Replaces the whole state with a snapshot; a malformed one is refused with `invalid_argument`. */
  restore(snapshot: unknown): void;
}

const textSchema = z.object({ author: z.string().trim().min(1), body: z.string() });
const reviewSchema = textSchema.extend({
  state: z.enum(['approved', 'changes_requested', 'commented']).default('changes_requested'),
});
const reviewCommentSchema = textSchema.extend({ path: z.string().trim().min(1) });
const checkSchema = z.object({ name: z.string().trim().min(1), summary: z.string() });

/**
 * An in-memory forge, faithful where orcha depends on it: pushes read the workspace's real HEAD through the
 * Executor (or a content-derived sha for a plain directory, see `readWorkspaceHead`) and refuse a
 * non-fast-forward without `force`; a pull request needs a pushed branch and at most one is open per
 * branch; only closed, unmerged pull requests reopen. A repository exists once created or pushed to (or always,
 * with `anyRepository`); its default branch exists from the start.
 */
export function createFakeForge(options: FakeForgeOptions = {}): FakeForge {
  const login = options.login ?? 'orcha';
  const state = createFakeForgeState({
    clock: options.clock ?? Date.now,
    login,
    baseUrl: (options.baseUrl ?? 'https://forge.invalid').replace(/\/+$/, ''),
    anyRepository: options.anyRepository ?? false,
  });
  const { emit, pullOf, headOf, view, changed } = state;
  const openPull = (repo: string, number: number) => {
    const pull = pullOf(repo, number);
    if (pull.state !== 'open') throw new OrchaError('conflict', `pull request #${number} is not open`);
    return pull;
  };

  return {
    name: 'fake',

    async getRepository(input) {
      const request = parseForgeRequest(repositoryRequestSchema, input);
      return { defaultBranch: state.repoOf(request.repo).defaultBranch };
    },

    async pushBranch(input) {
      const request = parseForgeRequest(pushRequestSchema, input);
      const head = await readWorkspaceHead(request);
      const previous = state.repos.get(request.repo)?.branches.get(request.branch);
      const diverged =
        previous !== undefined &&
        previous !== head.sha &&
        !request.force &&
        head.git &&
        !(await isFastForward(request, previous));
      if (diverged) {
        throw new OrchaError(
          'conflict',
          `${request.branch} moved to a commit this workspace does not build on; pushing needs force`,
          { branch: request.branch, remoteSha: previous },
        );
      }
      // Looked up after the awaits: a concurrent push may have created the repository meanwhile.
      const repo = state.ensureRepo(request.repo);
      repo.branches.set(request.branch, head.sha);
      const forced = request.force ?? false;
      emit({ type: 'branch-push', repo: request.repo, branch: request.branch, headSha: head.sha, forced });
      for (const pull of repo.pulls)
        if (pull.branch === request.branch && !pull.mergedSha) changed(request.repo, pull);
      return { headSha: head.sha };
    },

    async openPullRequest(input) {
      const request = parseForgeRequest(openPullRequestSchema, input);
      const repo = state.repoOf(request.repo);
      const head = repo.branches.get(request.branch);
      if (!head)
        throw new OrchaError('conflict', `branch ${request.branch} was never pushed to ${request.repo}`);
      if (request.baseBranch !== repo.defaultBranch && !repo.branches.has(request.baseBranch))
        throw new OrchaError('conflict', `${request.repo} has no base branch ${request.baseBranch}`);
      if (repo.branches.get(request.baseBranch) === head)
        throw new OrchaError('conflict', `no commits between ${request.baseBranch} and ${request.branch}`);
      const open = state.openOn(request.repo, request.branch);
      if (open)
        throw new OrchaError(
          'conflict',
          `pull request #${open.number} is already open for ${request.branch}`,
        );
      const pull = {
        number: repo.pulls.length + 1,
        branch: request.branch,
        baseBranch: request.baseBranch,
        title: request.title,
        state: 'open' as const,
        mergedSha: null,
      };
      repo.pulls.push(pull);
      return changed(request.repo, pull);
    },

    async getPullRequest(input) {
      const request = parseForgeRequest(pullRequestRefSchema, input);
      return view(request.repo, pullOf(request.repo, request.number));
    },

    async reopenPullRequest(input) {
      const request = parseForgeRequest(pullRequestRefSchema, input);
      const pull = pullOf(request.repo, request.number);
      if (pull.mergedSha) throw new OrchaError('conflict', `pull request #${pull.number} is merged`);
      if (pull.state === 'open')
        throw new OrchaError('conflict', `pull request #${pull.number} is already open`);
      const other = state.openOn(request.repo, pull.branch, pull);
      if (other) throw new OrchaError('conflict', `pull request #${other.number} is open for ${pull.branch}`);
      pull.state = 'open';
      return changed(request.repo, pull);
    },

    async commentPullRequest(input) {
      const { repo, number, body } = parseForgeRequest(commentRequestSchema, input);
      const stored = state.addItem(repo, number, { kind: 'comment', author: login, body, reviewState: null });
      const id = String(stored.id);
      emit({ type: 'comment-add', repo, number, id, body });
      return { id };
    },

    async listFeedback(input) {
      const request = parseForgeRequest(pullRequestRefSchema, input);
      return state.feedbackOf(request.repo, pullOf(request.repo, request.number));
    },

    createRepository(repo, options = {}) {
      const name = parseForgeRequest(repositoryRequestSchema, { repo }).repo;
      const defaultBranch = parseForgeRequest(branchSchema, options.defaultBranch ?? 'main');
      state.ensureRepo(name, defaultBranch);
    },

    merge(repo, number) {
      const pull = openPull(repo, number);
      const mergedSha = headOf(repo, pull);
      pull.mergedSha = mergedSha;
      pull.state = 'closed';
      state.repoOf(repo).branches.set(pull.baseBranch, mergedSha);
      changed(repo, pull);
    },

    close(repo, number) {
      openPull(repo, number).state = 'closed';
      changed(repo, pullOf(repo, number));
    },

    addReview(repo, number, review) {
      const { author, body, state: reviewState } = parseForgeRequest(reviewSchema, review);
      state.addItem(repo, number, { kind: 'review', author, body, reviewState });
    },

    addComment(repo, number, comment) {
      const { author, body } = parseForgeRequest(textSchema, comment);
      state.addItem(repo, number, { kind: 'comment', author, body, reviewState: null });
    },

    addReviewComment(repo, number, comment) {
      const { author, body, path } = parseForgeRequest(reviewCommentSchema, comment);
      state.addItem(repo, number, {
        kind: 'review_comment',
        author,
        body: `${path}: ${body}`,
        reviewState: null,
      });
    },

    failCheck(repo, number, input) {
      const { name, summary } = parseForgeRequest(checkSchema, input);
      const pull = pullOf(repo, number);
      const check = state.addCheck(repo, { sha: headOf(repo, pull), name, summary, conclusion: 'failure' });
      emit({ type: 'feedback-add', repo, number, feedback: checkFeedback(check) });
      changed(repo, pull);
    },

    passChecks(repo, number) {
      const pull = pullOf(repo, number);
      const sha = headOf(repo, pull);
      const runs = state.repoOf(repo).checks.filter((check) => check.sha === sha);
      for (const check of runs) check.conclusion = 'success';
      if (runs.length === 0)
        state.addCheck(repo, { sha, name: 'ci', summary: 'all checks passed', conclusion: 'success' });
      changed(repo, pull);
    },

    list() {
      return [...state.repos.entries()].flatMap(([repo, stored]) =>
        stored.pulls.map((pull) => ({ repo, ...view(repo, pull) })),
      );
    },

    onChange: state.onChange,
    snapshot: state.snapshot,
    restore(snapshot) {
      const parsed = fakeForgeSnapshotSchema.safeParse(snapshot);
      if (!parsed.success)
        throw new OrchaError(
          'invalid_argument',
          `not a fake forge snapshot: ${describeIssues(parsed.error.issues)}`,
        );
      state.restore(parsed.data);
    },
  };
}
