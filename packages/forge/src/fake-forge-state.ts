import { OrchaError } from '@orcha/model';
import { type FakeForgeSnapshot, restoreRepos, snapshotRepos } from './fake-forge-snapshot.js';
import type { ChecksState, ForgeFeedback, ForgePullRequest } from './forge.js';

/** What changed in a fake forge; a demo or test observes these through `onChange`. */
export type FakeForgeChange =
  | { type: 'branch-push'; repo: string; branch: string; headSha: string; forced: boolean }
  | { type: 'pull-request-change'; repo: string; pullRequest: ForgePullRequest }
  | { type: 'feedback-add'; repo: string; number: number; feedback: ForgeFeedback }
  | { type: 'comment-add'; repo: string; number: number; id: string; body: string };

export type ReviewState = 'approved' | 'changes_requested' | 'commented';

export interface StoredPull {
  number: number;
  branch: string;
  baseBranch: string;
  title: string;
  state: 'open' | 'closed';
  /** Set when merged: the head stops following the branch. */
  mergedSha: string | null;
}

export interface StoredItem {
  id: number;
  number: number;
  kind: 'review' | 'review_comment' | 'comment';
  author: string;
  body: string;
  reviewState: ReviewState | null;
  createdAt: number;
}

export interface StoredCheck {
  id: number;
  /** Check runs belong to a commit, as on GitHub, not to a pull request. */
  sha: string;
  name: string;
  summary: string;
  conclusion: 'success' | 'failure';
  createdAt: number;
}

export interface StoredRepo {
  /** Exists from the start, as a repository's default branch does on GitHub, even before a push. */
  defaultBranch: string;
  branches: Map<string, string>;
  pulls: StoredPull[];
  items: StoredItem[];
  checks: StoredCheck[];
}

export type FakeForgeState = ReturnType<typeof createFakeForgeState>;

/** The fake forge's repositories and the lookups and views its operations and controls share. */
export function createFakeForgeState(settings: {
  clock: () => number;
  login: string;
  baseUrl: string;
  /** Every well-formed repository name exists (with default branch `main`) the first time it is used. */
  anyRepository: boolean;
}) {
  const repos = new Map<string, StoredRepo>();
  const listeners = new Set<(change: FakeForgeChange) => void>();
  let nextId = 1;

  const emit = (change: FakeForgeChange) => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        // An observer must never break the forge it watches; still, say so.
        process.emitWarning(`fake forge change listener failed: ${(error as Error).message}`);
      }
    }
  };
  const ensureRepo = (repo: string, defaultBranch = 'main'): StoredRepo => {
    let found = repos.get(repo);
    if (!found) {
      found = { defaultBranch, branches: new Map(), pulls: [], items: [], checks: [] };
      repos.set(repo, found);
    }
    return found;
  };
  const repoOf = (repo: string) => {
    const found = repos.get(repo) ?? (settings.anyRepository ? ensureRepo(repo) : undefined);
    if (!found) throw new OrchaError('not_found', `no repository ${repo} on the fake forge`);
    return found;
  };
  const pullOf = (repo: string, number: number) => {
    const pull = repoOf(repo).pulls.find((candidate) => candidate.number === number);
    if (!pull) throw new OrchaError('not_found', `no pull request #${number} in ${repo}`);
    return pull;
  };
  const headOf = (repo: string, pull: StoredPull) =>
    pull.mergedSha ?? repoOf(repo).branches.get(pull.branch) ?? '';
  const checksOn = (repo: string, sha: string): ChecksState => {
    const runs = repoOf(repo).checks.filter((check) => check.sha === sha);
    if (runs.length === 0) return 'none';
    return runs.some((check) => check.conclusion === 'failure') ? 'failing' : 'passing';
  };
  const view = (repo: string, pull: StoredPull): ForgePullRequest => {
    const headSha = headOf(repo, pull);
    const slug = repo
      .replace(/^[a-z]+:\/\/[^/]+\//, '')
      .replace(/^[^@/]+@[^:]+:/, '')
      .replace(/\.git$/, '');
    return {
      number: pull.number,
      url: `${settings.baseUrl}/${slug}/pull/${pull.number}`,
      state: pull.mergedSha ? 'merged' : pull.state,
      headSha,
      branch: pull.branch,
      baseBranch: pull.baseBranch,
      title: pull.title,
      checks: checksOn(repo, headSha),
    };
  };
  // As on GitHub: approvals and bare comments without text ask nothing; our own comments are not feedback.
  const isFeedback = (item: StoredItem) =>
    item.kind === 'review'
      ? item.body.trim() !== '' || item.reviewState === 'changes_requested'
      : !(item.kind === 'comment' && item.author === settings.login);

  return {
    repos,
    emit,
    repoOf,
    pullOf,
    headOf,
    view,
    ensureRepo,
    /** The open pull request for `branch`, other than `except`. */
    openOn(repo: string, branch: string, except?: StoredPull) {
      return repoOf(repo).pulls.find(
        (pull) => pull !== except && pull.branch === branch && pull.state === 'open',
      );
    },
    /** Tells listeners the pull request changed and returns its new view. */
    changed(repo: string, pull: StoredPull): ForgePullRequest {
      const pullRequest = view(repo, pull);
      emit({ type: 'pull-request-change', repo, pullRequest });
      return pullRequest;
    },
    addItem(repo: string, number: number, item: Omit<StoredItem, 'id' | 'number' | 'createdAt'>): StoredItem {
      pullOf(repo, number);
      const stored: StoredItem = { ...item, id: nextId++, number, createdAt: settings.clock() };
      repoOf(repo).items.push(stored);
      if (isFeedback(stored)) emit({ type: 'feedback-add', repo, number, feedback: itemFeedback(stored) });
      return stored;
    },
    addCheck(repo: string, check: Omit<StoredCheck, 'id' | 'createdAt'>): StoredCheck {
      const stored: StoredCheck = { ...check, id: nextId++, createdAt: settings.clock() };
      repoOf(repo).checks.push(stored);
      return stored;
    },
    /** Feedback on the pull request and failed checks on its current head, oldest first. */
    feedbackOf(repo: string, pull: StoredPull): ForgeFeedback[] {
      const head = headOf(repo, pull);
      const stored = repoOf(repo);
      const ordered = [
        ...stored.items
          .filter((item) => item.number === pull.number && isFeedback(item))
          .map((item) => ({ id: item.id, feedback: itemFeedback(item) })),
        ...stored.checks
          .filter((check) => check.sha === head && check.conclusion === 'failure')
          .map((check) => ({ id: check.id, feedback: checkFeedback(check) })),
      ];
      // Ids grow with time, so they break ties between items made in the same millisecond.
      ordered.sort((a, b) => a.feedback.createdAt - b.feedback.createdAt || a.id - b.id);
      return ordered.map((entry) => entry.feedback);
    },
    snapshot: (): FakeForgeSnapshot => snapshotRepos(repos, nextId),
    /** Replaces the whole state; listeners are kept and not called. */
    restore(snapshot: FakeForgeSnapshot): void {
      repos.clear();
      for (const [name, repo] of restoreRepos(snapshot)) repos.set(name, repo);
      nextId = snapshot.nextId;
    },
    onChange(listener: (change: FakeForgeChange) => void): () => void {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function itemFeedback(item: StoredItem): ForgeFeedback {
  return {
    externalId: `${item.kind === 'review_comment' ? 'review-comment' : item.kind}:${item.id}`,
    kind: item.kind,
    author: item.author,
    body: item.body.trim() || (item.reviewState ?? '').replace('_', ' '),
    createdAt: item.createdAt,
  };
}

export function checkFeedback(check: StoredCheck): ForgeFeedback {
  return {
    externalId: `check:${check.id}`,
    kind: 'check_failure',
    author: check.name,
    body: `${check.name} failure: ${check.summary}`.trim(),
    createdAt: check.createdAt,
  };
}
