import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type GitHttpServer, git } from './git-http-server.js';
import { componentSchema, skeleton } from './github-openapi.js';

interface PullState {
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergedSha: string | null;
  createdAt: string;
  updatedAt: string;
  user: string;
}

interface RepoState {
  pulls: PullState[];
  comments: { id: number; issue: number; user: string; body: string; at: string }[];
  reviews: {
    id: number;
    pull: number;
    user: string;
    body: string;
    state: string;
    commit: string;
    at: string;
  }[];
  reviewComments: {
    id: number;
    pull: number;
    user: string;
    body: string;
    path: string;
    commit: string;
    at: string;
  }[];
  checks: {
    id: number;
    sha: string;
    name: string;
    conclusion: 'success' | 'failure';
    summary: string;
    at: string;
  }[];
}

export interface FakeGitHub {
  /** The REST base URL to give @octokit/rest (`baseUrl`). */
  url: string;
  token: string;
  /** Requests received, for assertions (method, path, authorization header). */
  requests: { method: string; path: string; authorization: string | undefined }[];
  control: {
    merge(repo: string, number: number): Promise<void>;
    close(repo: string, number: number): void;
    reopen(repo: string, number: number): void;
    addReview(
      repo: string,
      number: number,
      review: { author: string; body: string; state?: string },
    ): Promise<void>;
    addReviewComment(
      repo: string,
      number: number,
      comment: { author: string; body: string; path: string },
    ): Promise<void>;
    addComment(repo: string, number: number, comment: { author: string; body: string }): void;
    failCheck(repo: string, number: number, name: string, summary: string): Promise<void>;
    passChecks(repo: string, number: number): Promise<void>;
  };
  stop(): Promise<void>;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * A local server speaking the part of GitHub's REST API orcha uses, backed by the bare repositories of a
 * GitHttpServer: a pull request's head is a real branch there and its sha is read with git. It keeps
 * GitHub's rules orcha can hit: 404 for a repository the git server does not have, 422 for a missing head
 * or base branch, a second open pull request on a head, or no commits between base and head. Responses start
 * from skeletons of GitHub's own OpenAPI schemas, and tests validate them against that description.
 */
export async function startFakeGitHub(
  gitServer: GitHttpServer,
  options: { token?: string } = {},
): Promise<FakeGitHub> {
  const token = options.token ?? 'ghp_orcha_test_token';
  const repos = new Map<string, RepoState>();
  const requests: FakeGitHub['requests'] = [];
  let nextId = 1000;
  const state = (repo: string) => {
    let found = repos.get(repo);
    if (!found) {
      found = { pulls: [], comments: [], reviews: [], reviewComments: [], checks: [] };
      repos.set(repo, found);
    }
    return found;
  };
  const sha = async (repo: string, branch: string) =>
    (
      await git(['rev-parse', `refs/heads/${branch}`], { cwd: gitServer.repoPath(repo) }).catch(() => '')
    ).trim();
  const user = (login: string) => ({
    ...(skeleton(componentSchema('simple-user')) as object),
    login,
    id: login.length * 7919,
    type: 'User',
    html_url: `https://github.invalid/${login}`,
  });
  let url = '';
  /** The bare repository's HEAD, as GitHub's `default_branch`. */
  const defaultBranch = async (repo: string) =>
    (await git(['symbolic-ref', '--short', 'HEAD'], { cwd: gitServer.repoPath(repo) })).trim();
  /** GitHub's 422 for a pull request it will not open: `Validation Failed` with the reason in `errors`. */
  const invalid = (message: string): [number, unknown] => [
    422,
    {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message }],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    },
  ];
  const repository = (repo: string, defaultBranchName = 'main') => {
    const [owner = 'owner', name = 'repo'] = repo.split('/');
    return {
      ...(skeleton(componentSchema('repository')) as object),
      id: 1,
      name,
      full_name: repo,
      owner: user(owner),
      default_branch: defaultBranchName,
      clone_url: `${gitServer.url}/${repo}.git`,
      html_url: `https://github.invalid/${repo}`,
    };
  };
  const pull = async (repo: string, pr: PullState) => {
    const headSha = pr.mergedSha ?? (await sha(repo, pr.head));
    const base = { ...(skeleton(componentSchema('pull-request')) as { base: object }).base };
    return {
      ...(skeleton(componentSchema('pull-request')) as object),
      id: pr.number + 500_000,
      number: pr.number,
      title: pr.title,
      body: pr.body,
      state: pr.state,
      merged: pr.merged,
      merged_at: pr.merged ? pr.updatedAt : null,
      closed_at: pr.state === 'closed' ? pr.updatedAt : null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      mergeable: pr.state === 'open' ? true : null,
      mergeable_state: pr.state === 'open' ? 'clean' : 'unknown',
      html_url: `https://github.invalid/${repo}/pull/${pr.number}`,
      url: `${url}/repos/${repo}/pulls/${pr.number}`,
      user: user(pr.user),
      head: {
        ...base,
        label: `${repo.split('/')[0]}:${pr.head}`,
        ref: pr.head,
        sha: headSha,
        user: user(pr.user),
        repo: repository(repo),
      },
      base: {
        ...base,
        label: `${repo.split('/')[0]}:${pr.base}`,
        ref: pr.base,
        sha: await sha(repo, pr.base),
        user: user(pr.user),
        repo: repository(repo),
      },
    };
  };
  const find = (repo: string, number: number) => {
    const pr = state(repo).pulls.find((candidate) => candidate.number === number);
    if (!pr) throw Object.assign(new Error('Not Found'), { status: 404 });
    return pr;
  };
  const issueComment = (repo: string, c: RepoState['comments'][number]) => ({
    ...(skeleton(componentSchema('issue-comment')) as object),
    id: c.id,
    body: c.body,
    user: user(c.user),
    created_at: c.at,
    updated_at: c.at,
    html_url: `https://github.invalid/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${url}/repos/${repo}/issues/${c.issue}`,
  });

  const routes: [
    string,
    RegExp,
    (match: string[], body: Record<string, unknown>) => Promise<[number, unknown]>,
  ][] = [
    [
      'GET',
      /^\/user$/,
      async () => [200, { ...(skeleton(componentSchema('private-user')) as object), ...user('orcha-bot') }],
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)$/,
      async ([repo]) => [
        200,
        {
          ...(skeleton(componentSchema('full-repository')) as object),
          ...repository(repo!, await defaultBranch(repo!)),
          has_discussions: false,
          network_count: 0,
          subscribers_count: 0,
          pushed_at: now(),
          created_at: now(),
          updated_at: now(),
        },
      ],
    ],
    [
      'POST',
      /^\/repos\/([^/]+\/[^/]+)\/pulls$/,
      async ([repo], body) => {
        const head = String(body.head ?? '').replace(/^[^:]+:/, '');
        const base = String(body.base ?? '');
        if (!body.title || !head || !base)
          return [422, { message: 'Validation Failed', errors: [{ code: 'missing_field' }] }];
        // The checks GitHub makes, in its order, each a 422.
        const headSha = await sha(repo!, head);
        if (!headSha) return invalid(`head ${head} does not exist`);
        const baseSha = await sha(repo!, base);
        if (!baseSha) return invalid(`base ${base} does not exist`);
        if (state(repo!).pulls.some((pr) => pr.head === head && pr.state === 'open'))
          return invalid(`A pull request already exists for ${repo!.split('/')[0]}:${head}.`);
        const ahead = await git(['rev-list', '--count', `${baseSha}..${headSha}`], {
          cwd: gitServer.repoPath(repo!),
        });
        if (Number(ahead.trim()) === 0) return invalid(`No commits between ${base} and ${head}`);
        const pr: PullState = {
          number: state(repo!).pulls.length + 1,
          title: String(body.title),
          body: typeof body.body === 'string' ? body.body : null,
          head,
          base,
          state: 'open',
          merged: false,
          mergedSha: null,
          createdAt: now(),
          updatedAt: now(),
          user: 'orcha-bot',
        };
        state(repo!).pulls.push(pr);
        return [201, await pull(repo!, pr)];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/,
      async ([repo, n]) => [200, await pull(repo!, find(repo!, Number(n)))],
    ],
    [
      'PATCH',
      /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)$/,
      async ([repo, n], body) => {
        const pr = find(repo!, Number(n));
        if (body.state === 'open' || body.state === 'closed') {
          if (pr.merged) return [422, { message: 'merged pull requests cannot be reopened' }];
          pr.state = body.state;
        }
        if (typeof body.title === 'string') pr.title = body.title;
        pr.updatedAt = now();
        return [200, await pull(repo!, pr)];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/reviews$/,
      async ([repo, n]) => [
        200,
        state(repo!)
          .reviews.filter((review) => review.pull === Number(n))
          .map((review) => ({
            ...(skeleton(componentSchema('pull-request-review')) as object),
            id: review.id,
            body: review.body,
            state: review.state,
            commit_id: review.commit,
            user: user(review.user),
            submitted_at: review.at,
          })),
      ],
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/comments$/,
      async ([repo, n]) => [
        200,
        state(repo!)
          .reviewComments.filter((comment) => comment.pull === Number(n))
          .map((comment) => ({
            ...(skeleton(componentSchema('pull-request-review-comment')) as object),
            id: comment.id,
            body: comment.body,
            path: comment.path,
            commit_id: comment.commit,
            original_commit_id: comment.commit,
            user: user(comment.user),
            created_at: comment.at,
            updated_at: comment.at,
          })),
      ],
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/,
      async ([repo, n]) => [
        200,
        state(repo!)
          .comments.filter((c) => c.issue === Number(n))
          .map((c) => issueComment(repo!, c)),
      ],
    ],
    [
      'POST',
      /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/,
      async ([repo, n], body) => {
        find(repo!, Number(n));
        if (typeof body.body !== 'string' || !body.body) return [422, { message: 'Validation Failed: body' }];
        const comment = { id: nextId++, issue: Number(n), user: 'orcha-bot', body: body.body, at: now() };
        state(repo!).comments.push(comment);
        return [201, issueComment(repo!, comment)];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/check-runs$/,
      async ([repo, ref]) => {
        const runs = state(repo!).checks.filter((check) => check.sha === ref);
        return [
          200,
          {
            total_count: runs.length,
            check_runs: runs.map((check) => ({
              ...(skeleton(componentSchema('check-run')) as object),
              id: check.id,
              head_sha: check.sha,
              name: check.name,
              status: 'completed',
              conclusion: check.conclusion,
              started_at: check.at,
              completed_at: check.at,
              output: {
                title: check.name,
                summary: check.summary,
                text: null,
                annotations_count: 0,
                annotations_url: '',
              },
            })),
          },
        ];
      },
    ],
    [
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)\/status$/,
      async ([repo, ref]) => [
        200,
        {
          ...(skeleton(componentSchema('combined-commit-status')) as object),
          state: 'success',
          sha: ref,
          total_count: 0,
          statuses: [],
          repository: { ...(skeleton(componentSchema('minimal-repository')) as object), full_name: repo },
        },
      ],
    ],
    [
      'PUT',
      /^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/merge$/,
      async ([repo, n]) => {
        const pr = find(repo!, Number(n));
        if (pr.state !== 'open') return [405, { message: 'Pull Request is not mergeable' }];
        await control.merge(repo!, pr.number);
        return [200, { merged: true, message: 'Pull Request successfully merged', sha: pr.mergedSha }];
      },
    ],
  ];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0]!.replace(/^\/api\/v3/, '');
    const authorization = request.headers.authorization;
    requests.push({ method: request.method ?? 'GET', path, authorization });
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(value));
    };
    if (authorization !== `token ${token}` && authorization !== `Bearer ${token}`)
      return send(401, { message: 'Bad credentials' });
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    // A repository is there when the git server has it, as GitHub answers 404 for one it does not have.
    const named = /^\/repos\/([^/]+\/[^/]+)/.exec(path)?.[1];
    if (named && !existsSync(gitServer.repoPath(decodeURIComponent(named))))
      return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    for (const [method, pattern, run] of routes) {
      const match = pattern.exec(path);
      if (!match || method !== request.method) continue;
      try {
        const [status, value] = await run(match.slice(1).map(decodeURIComponent), raw ? JSON.parse(raw) : {});
        return send(status, value);
      } catch (error) {
        return send((error as { status?: number }).status ?? 500, { message: (error as Error).message });
      }
    }
    return send(404, { message: 'Not Found' });
  };

  const control: FakeGitHub['control'] = {
    async merge(repo, number) {
      const pr = find(repo, number);
      pr.mergedSha = await sha(repo, pr.head);
      pr.merged = true;
      pr.state = 'closed';
      pr.updatedAt = now();
    },
    close(repo, number) {
      const pr = find(repo, number);
      pr.state = 'closed';
      pr.updatedAt = now();
    },
    reopen(repo, number) {
      const pr = find(repo, number);
      pr.state = 'open';
      pr.updatedAt = now();
    },
    async addReview(repo, number, review) {
      const pr = find(repo, number);
      state(repo).reviews.push({
        id: nextId++,
        pull: number,
        user: review.author,
        body: review.body,
        state: review.state ?? 'CHANGES_REQUESTED',
        commit: await sha(repo, pr.head),
        at: now(),
      });
    },
    async addReviewComment(repo, number, comment) {
      const pr = find(repo, number);
      state(repo).reviewComments.push({
        id: nextId++,
        pull: number,
        user: comment.author,
        body: comment.body,
        path: comment.path,
        commit: await sha(repo, pr.head),
        at: now(),
      });
    },
    addComment(repo, number, comment) {
      find(repo, number);
      state(repo).comments.push({
        id: nextId++,
        issue: number,
        user: comment.author,
        body: comment.body,
        at: now(),
      });
    },
    async failCheck(repo, number, name, summary) {
      const pr = find(repo, number);
      state(repo).checks.push({
        id: nextId++,
        sha: await sha(repo, pr.head),
        name,
        conclusion: 'failure',
        summary,
        at: now(),
      });
    },
    async passChecks(repo, number) {
      const pr = find(repo, number);
      const head = await sha(repo, pr.head);
      for (const check of state(repo).checks) if (check.sha === head) check.conclusion = 'success';
    },
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    token,
    requests,
    control,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
