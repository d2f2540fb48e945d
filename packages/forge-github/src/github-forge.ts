import { Octokit } from '@octokit/rest';
import {
  type ChecksState,
  commentRequestSchema,
  type Forge,
  type ForgePullRequest,
  openPullRequestSchema,
  parseForgeRequest,
  pullRequestRefSchema,
  pushRequestSchema,
  repositoryRequestSchema,
} from '@orcha/forge';
import { OrchaError } from '@orcha/model';
import { pushBranch } from './git-push.js';
import { checksState, listGitHubFeedback } from './github-feedback.js';
import { parseRepo } from './repo-ref.js';

export interface GitHubForgeSettings {
  /** A token with repo scope (see `githubToken`). */
  token: string;
  /** The REST base URL; GitHub Enterprise uses `https://<host>/api/v3`. Default api.github.com. */
  baseUrl?: string | undefined;
  /** The URL git pushes to for a repository slug. Default `https://github.com/<owner>/<name>.git`. */
  cloneUrl?: ((repo: string) => string) | undefined;
}

/** Turns Octokit's errors into orcha's codes; nothing else looks at vendor errors. */
function translate(error: unknown, what: string): never {
  if (error instanceof OrchaError) throw error;
  const status = (error as { status?: number }).status;
  const message = `${what}: ${(error as Error).message}`;
  if (status === 404) throw new OrchaError('not_found', message);
  if (status === 401 || status === 403) throw new OrchaError('forbidden', message);
  if (status === 422) throw new OrchaError('conflict', message);
  throw new OrchaError('unavailable', message);
}

interface PullData {
  number: number;
  html_url: string;
  state: string;
  merged?: boolean | null;
  merged_at?: string | null;
  head: { sha: string; ref: string };
  base: { ref: string };
  title: string;
}

const quiet = () => {};

/**
 * GitHub as a forge: git runs through the target's Executor (so pushes happen where the work is), the REST
 * API through @octokit/rest. The token reaches git on stdin through a credential helper, never argv.
 */
export function createGitHubForge(settings: GitHubForgeSettings): Forge {
  const octokit = new Octokit({
    auth: settings.token,
    baseUrl: settings.baseUrl ?? 'https://api.github.com',
    request: { retries: 0 },
    // Every failure is translated and thrown to the caller; Octokit's own request log would repeat it.
    log: { debug: quiet, info: quiet, warn: console.warn, error: quiet },
  });
  const cloneUrl = (repo: string) => {
    if (/^[a-z]+:\/\/|@/.test(repo)) return repo;
    const { owner, name } = parseRepo(repo);
    return settings.cloneUrl?.(repo) ?? `https://github.com/${owner}/${name}.git`;
  };
  // Who we are, to leave our own comments out of the feedback. A failed lookup is retried next time, and
  // comments this process made are recognised by id even without it (installation tokens cannot read /user).
  let self: Promise<string | null> | null = null;
  const selfLogin = () => {
    self ??= octokit.users.getAuthenticated().then(
      (response) => response.data.login,
      () => {
        self = null;
        return null;
      },
    );
    return self;
  };
  const ourComments = new Set<number>();

  const checksFor = async (owner: string, repo: string, sha: string): Promise<ChecksState> => {
    const runs = await octokit
      .paginate(octokit.checks.listForRef, { owner, repo, ref: sha, per_page: 100 })
      .catch((e) => translate(e, 'checks'));
    return checksState(runs);
  };

  const toPullRequest = async (owner: string, repo: string, data: PullData): Promise<ForgePullRequest> => ({
    number: data.number,
    url: data.html_url,
    state: data.merged || data.merged_at ? 'merged' : data.state === 'open' ? 'open' : 'closed',
    headSha: data.head.sha,
    branch: data.head.ref,
    baseBranch: data.base.ref,
    title: data.title,
    checks: await checksFor(owner, repo, data.head.sha),
  });

  const getPull = async (repo: string, number: number) => {
    const { owner, name } = parseRepo(repo);
    const found = await octokit.pulls
      .get({ owner, repo: name, pull_number: number })
      .catch((e) => translate(e, `pull request #${number}`));
    return { owner, name, data: found.data };
  };

  return {
    name: 'github',

    async getRepository(input) {
      const request = parseForgeRequest(repositoryRequestSchema, input);
      const { owner, name } = parseRepo(request.repo);
      const found = await octokit.repos
        .get({ owner, repo: name })
        .catch((e) => translate(e, `repository ${owner}/${name}`));
      return { defaultBranch: found.data.default_branch };
    },

    async pushBranch(input) {
      const request = parseForgeRequest(pushRequestSchema, input);
      const headSha = await pushBranch(request.executor, {
        cwd: request.cwd,
        url: cloneUrl(request.repo),
        branch: request.branch,
        force: request.force ?? false,
        token: settings.token,
      });
      return { headSha };
    },

    async openPullRequest(input) {
      const request = parseForgeRequest(openPullRequestSchema, input);
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
      return toPullRequest(owner, name, created.data);
    },

    async getPullRequest(input) {
      const request = parseForgeRequest(pullRequestRefSchema, input);
      const { owner, name, data } = await getPull(request.repo, request.number);
      return toPullRequest(owner, name, data);
    },

    async reopenPullRequest(input) {
      const request = parseForgeRequest(pullRequestRefSchema, input);
      // GitHub answers an already open pull request with success; the port promises a refusal.
      const { owner, name, data } = await getPull(request.repo, request.number);
      if (data.merged || data.merged_at)
        throw new OrchaError('conflict', `pull request #${request.number} is merged`);
      if (data.state === 'open')
        throw new OrchaError('conflict', `pull request #${request.number} is already open`);
      const updated = await octokit.pulls
        .update({ owner, repo: name, pull_number: request.number, state: 'open' })
        .catch((e) => translate(e, 'reopen pull request'));
      return toPullRequest(owner, name, updated.data);
    },

    async commentPullRequest(input) {
      const request = parseForgeRequest(commentRequestSchema, input);
      const { owner, name } = parseRepo(request.repo);
      const created = await octokit.issues
        .createComment({ owner, repo: name, issue_number: request.number, body: request.body })
        .catch((e) => translate(e, 'comment'));
      ourComments.add(created.data.id);
      return { id: String(created.data.id) };
    },

    async listFeedback(input) {
      const request = parseForgeRequest(pullRequestRefSchema, input);
      const { owner, name, data } = await getPull(request.repo, request.number);
      const me = await selfLogin();
      return listGitHubFeedback(
        octokit,
        { owner, repo: name, number: request.number, headSha: data.head.sha },
        (comment) => ourComments.has(comment.id) || (me !== null && comment.login === me),
      ).catch((e) => translate(e, 'feedback'));
    },
  };
}
