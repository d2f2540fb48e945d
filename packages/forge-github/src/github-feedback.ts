import type { Octokit } from '@octokit/rest';
import type { ChecksState, ForgeFeedback } from '@orcha/forge';

/** Check run conclusions that count as a failure. */
export const failedConclusions = new Set(['failure', 'timed_out', 'cancelled', 'action_required']);

/** The combined state of a list of check runs. */
export function checksState(runs: readonly { status: string; conclusion: string | null }[]): ChecksState {
  if (runs.length === 0) return 'none';
  if (runs.some((run) => run.conclusion && failedConclusions.has(run.conclusion))) return 'failing';
  if (runs.some((run) => run.status !== 'completed')) return 'pending';
  return 'passing';
}

const time = (value: string | null | undefined) => (value ? Date.parse(value) : 0);

/**
 * Reviews, review comments, issue comments by others and failed check runs on `headSha`, oldest first.
 * Every list is read to its last page: a busy pull request has more than one page of comments.
 * A comment is ours when its author is `self` or its id is in `ours` (comments this process made).
 */
export async function listGitHubFeedback(
  octokit: Octokit,
  request: { owner: string; repo: string; number: number; headSha: string },
  isOurs: (comment: { id: number; login: string | undefined }) => boolean,
): Promise<ForgeFeedback[]> {
  const { owner, repo, number } = request;
  const [reviews, reviewComments, comments, runs] = await Promise.all([
    octokit.paginate(octokit.pulls.listReviews, { owner, repo, pull_number: number, per_page: 100 }),
    octokit.paginate(octokit.pulls.listReviewComments, { owner, repo, pull_number: number, per_page: 100 }),
    octokit.paginate(octokit.issues.listComments, { owner, repo, issue_number: number, per_page: 100 }),
    octokit.paginate(octokit.checks.listForRef, { owner, repo, ref: request.headSha, per_page: 100 }),
  ]);
  const items: ForgeFeedback[] = [];
  for (const review of reviews) {
    // An approval or a bare comment without text asks nothing of the author.
    if (!review.body?.trim() && review.state !== 'CHANGES_REQUESTED') continue;
    items.push({
      externalId: `review:${review.id}`,
      kind: 'review',
      author: review.user?.login ?? 'unknown',
      body: review.body?.trim() || review.state.toLowerCase().replace('_', ' '),
      createdAt: time(review.submitted_at),
    });
  }
  for (const comment of reviewComments) {
    items.push({
      externalId: `review-comment:${comment.id}`,
      kind: 'review_comment',
      author: comment.user?.login ?? 'unknown',
      body: `${comment.path}: ${comment.body}`,
      createdAt: time(comment.created_at),
    });
  }
  for (const comment of comments) {
    if (isOurs({ id: comment.id, login: comment.user?.login })) continue;
    items.push({
      externalId: `comment:${comment.id}`,
      kind: 'comment',
      author: comment.user?.login ?? 'unknown',
      body: comment.body ?? '',
      createdAt: time(comment.created_at),
    });
  }
  for (const run of runs) {
    if (!run.conclusion || !failedConclusions.has(run.conclusion)) continue;
    items.push({
      externalId: `check:${run.id}`,
      kind: 'check_failure',
      author: run.app?.name || run.name,
      body: `${run.name} ${run.conclusion}: ${run.output?.summary ?? ''}`.trim(),
      createdAt: time(run.completed_at),
    });
  }
  // A stable sort: items of the same second keep the order GitHub listed them in.
  return items.sort((a, b) => a.createdAt - b.createdAt);
}
