import { Octokit } from '@octokit/rest';
import type { Executor } from '@orcha/exec';
import { OrchaError, type PullRequestState } from '@orcha/model';
import { pushBranch } from './git-push.js';
import { parseRepo } from './repo-ref.js';

export interface GitHubForgeSettings {
  /** A token with repo scope (see `githubToken`). */
  token: string;
  /** The REST base URL; GitHub Enterprise uses `https://<host>/api/v3`. Default api.github.com. */
  baseUrl?: string | undefined;
  /** The URL git pushes to for a repository slug. Default `https://github.com/<owner>/<name>.git`. */
  cloneUrl?: ((repo: string) => string) | undefined;
}

type Checks = 'pending' | 'passing' | 'failing' | 'none';

export interface GitHubPullRequest {
  number: number;
  url: string;
  state: PullRequestState;
  headSha: string;
  branch: string;
  baseBranch: string;
  title: string;
  checks: Checks;
}

export interface GitHubFeedback {
  externalId: string;
  kind: 'review' | 'review_comment' | 'comment' | 'check_failure';
  author: string;
  body: string;
  createdAt: number;
}

const failed = new Set(['failure', 'timed_out', 'cancelled', 'action_required']);

/** Turns Octokit's errors into orcha's codes; nothing else looks at vendor errors. */
function translate(error: unknown, what: string): never {
  const status = (error as { status?: number }).status;
  const message = `${what}: ${(error as Error).message}`;
  if (status === 404) throw new OrchaError('not_found', message);
  if (status === 401 || status === 403) throw new OrchaError('forbidden', message);
  if (status === 422) throw new OrchaError('conflict', message);
  throw new OrchaError('unavailable', message);
}

/**
 * GitHub as a forge: git runs through the target's Executor (so pushes happen where the work is), the REST
 * API through @octokit/rest. The token reaches git on stdin through a credential helper, never argv.
 */
export function createGitHubForge(settings: GitHubForgeSettings) {
  const octokit = new Octokit({
    auth: settings.token,
    baseUrl: settings.baseUrl ?? 'https://api.github.com',
    request: { retries: 0 },
  });
  const cloneUrl = (repo: string) =>
    /^[a-z]+:\/\/|@/.test(repo)
      ? repo
      : (settings.cloneUrl?.(repo) ??
        `https://github.com/${parseRepo(repo).owner}/${parseRepo(repo).name}.git`);
  let self: Promise<string | null> | null = null;
  const selfLogin = () => {
    self ??= octokit.users.getAuthenticated().then(
      (response) => response.data.login,
      () => null,
    );
    return self;
  };

  const checksFor = async (repo: string, sha: string): Promise<Checks> => {
    const { owner, name } = parseRepo(repo);
    const runs = await octokit.checks
      .listForRef({ owner, repo: name, ref: sha, per_page: 100 })
      .catch((e) => translate(e, 'checks'));
    const list = runs.data.check_runs;
    if (list.length === 0) return 'none';
    if (list.some((run) => run.conclusion && failed.has(run.conclusion))) return 'failing';
    if (list.some((run) => run.status !== 'completed')) return 'pending';
    return 'passing';
  };

  const toPullRequest = async (
    repo: string,
    data: {
      number: number;
      html_url: string;
      state: string;
      merged?: boolean | null;
      merged_at?: string | null;
      head: { sha: string; ref: string };
      base: { ref: string };
      title: string;
    },
  ): Promise<GitHubPullRequest> => ({
    number: data.number,
    url: data.html_url,
    state: data.merged || data.merged_at ? 'merged' : data.state === 'open' ? 'open' : 'closed',
    headSha: data.head.sha,
    branch: data.head.ref,
    baseBranch: data.base.ref,
    title: data.title,
    checks: await checksFor(repo, data.head.sha),
  });

  return {
    name: 'github' as const,

    async pushBranch(request: {
      executor: Executor;
      cwd: string;
      repo: string;
      branch: string;
      force?: boolean;
      reason?: string;
    }) {
      const headSha = await pushBranch(request.executor, {
        cwd: request.cwd,
        url: cloneUrl(request.repo),
        branch: request.branch,
        force: request.force ?? false,
        token: settings.token,
      });
      return { headSha };
    },

    async openPullRequest(request: {
      repo: string;
      branch: string;
      baseBranch: string;
      title: string;
      body: string;
    }) {
      const { owner, name } = parseRepo(request.repo);
      const created = await octokit.pulls
        .create({
          owner,
          repo: name,
          head: request.branch,
          base: request.baseBranch,
          title: request.title,
          body: request.body,
        })
        .catch((e) => translate(e, 'open pull request'));
      return toPullRequest(request.repo, created.data);
    },

    async getPullRequest(request: { repo: string; number: number }) {
      const { owner, name } = parseRepo(request.repo);
      const found = await octokit.pulls
        .get({ owner, repo: name, pull_number: request.number })
        .catch((e) => translate(e, 'pull request'));
      return toPullRequest(request.repo, found.data);
    },

    async reopenPullRequest(request: { repo: string; number: number }) {
      const { owner, name } = parseRepo(request.repo);
      const updated = await octokit.pulls
        .update({ owner, repo: name, pull_number: request.number, state: 'open' })
        .catch((e) => translate(e, 'reopen pull request'));
      return toPullRequest(request.repo, updated.data);
    },

    async commentPullRequest(request: { repo: string; number: number; body: string }) {
      const { owner, name } = parseRepo(request.repo);
      const created = await octokit.issues
        .createComment({ owner, repo: name, issue_number: request.number, body: request.body })
        .catch((e) => translate(e, 'comment'));
      return { id: String(created.data.id) };
    },

    /** Reviews, review comments, comments by others, and failed checks on the current head. */
    async listFeedback(request: { repo: string; number: number }): Promise<GitHubFeedback[]> {
      const { owner, name } = parseRepo(request.repo);
      const pull = await octokit.pulls
        .get({ owner, repo: name, pull_number: request.number })
        .catch((e) => translate(e, 'pull request'));
      const [reviews, reviewComments, comments, runs, me] = await Promise.all([
        octokit.pulls.listReviews({ owner, repo: name, pull_number: request.number, per_page: 100 }),
        octokit.pulls.listReviewComments({ owner, repo: name, pull_number: request.number, per_page: 100 }),
        octokit.issues.listComments({ owner, repo: name, issue_number: request.number, per_page: 100 }),
        octokit.checks.listForRef({ owner, repo: name, ref: pull.data.head.sha, per_page: 100 }),
        selfLogin(),
      ]).catch((e) => translate(e, 'feedback'));
      const time = (value: string | null | undefined) => (value ? Date.parse(value) : 0);
      const items: GitHubFeedback[] = [];
      for (const review of reviews.data) {
        if (!review.body?.trim() && review.state !== 'CHANGES_REQUESTED') continue;
        items.push({
          externalId: `review:${review.id}`,
          kind: 'review',
          author: review.user?.login ?? 'unknown',
          body: review.body?.trim() || `${review.state.toLowerCase().replace('_', ' ')}`,
          createdAt: time(review.submitted_at),
        });
      }
      for (const comment of reviewComments.data) {
        items.push({
          externalId: `review-comment:${comment.id}`,
          kind: 'review_comment',
          author: comment.user?.login ?? 'unknown',
          body: `${comment.path}: ${comment.body}`,
          createdAt: time(comment.created_at),
        });
      }
      for (const comment of comments.data) {
        if (me && comment.user?.login === me) continue;
        items.push({
          externalId: `comment:${comment.id}`,
          kind: 'comment',
          author: comment.user?.login ?? 'unknown',
          body: comment.body ?? '',
          createdAt: time(comment.created_at),
        });
      }
      for (const run of runs.data.check_runs) {
        if (!run.conclusion || !failed.has(run.conclusion)) continue;
        items.push({
          externalId: `check:${run.id}`,
          kind: 'check_failure',
          author: run.app?.name ?? run.name,
          body: `${run.name} ${run.conclusion}: ${run.output?.summary ?? ''}`.trim(),
          createdAt: time(run.completed_at),
        });
      }
      return items.sort((a, b) => a.createdAt - b.createdAt);
    },
  };
}

export type GitHubForge = ReturnType<typeof createGitHubForge>;
