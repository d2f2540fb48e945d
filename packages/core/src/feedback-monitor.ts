import type { PrFeedback, PullRequest } from '@orcha/model';
import type { Context } from './context.js';
import { refreshPr } from './pr-workflow.js';

/**
 * Polls open pull requests: refreshes their state, head and checks, and turns every new feedback item
 * (review, review comment, comment, failed check) into a follow-up worker on the PR's branch. Follow-ups
 * queue behind one another on the branch lock while other workers keep running.
 */
export function createFeedbackMonitor(ctx: Context) {
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;

  const pollOnce = (): Promise<void> => {
    polling ??= (async () => {
      for (const pr of ctx.store.listPullRequests({ state: 'open' })) {
        try {
          await pollPullRequest(ctx, pr);
        } catch (error) {
          ctx.log('warn', `could not poll pull request #${pr.number}`, { error: String(error) });
        }
      }
    })().finally(() => {
      polling = null;
    });
    return polling;
  };

  return {
    pollOnce,
    start() {
      const loop = () => {
        void pollOnce().finally(() => {
          timer = setTimeout(loop, ctx.config.feedbackPollMs);
          timer.unref?.();
        });
      };
      timer = setTimeout(loop, ctx.config.feedbackPollMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await polling;
    },
  };
}

async function pollPullRequest(ctx: Context, stale: PullRequest): Promise<void> {
  const pr = await refreshPr(ctx, stale);
  if (pr.state !== 'open') return;
  const items = await ctx.forge.listFeedback({ repo: pr.repo, number: pr.number });
  for (const item of items) {
    const { feedback, inserted } = ctx.store.addFeedback(pr.id, item);
    if (inserted) spawnFollowup(ctx, pr, feedback);
  }
}

function spawnFollowup(ctx: Context, pr: PullRequest, feedback: PrFeedback): void {
  const { store } = ctx;
  const manager = store.listSessions({ objectiveId: pr.objectiveId, role: 'manager' })[0];
  const author = pr.sessionId ? store.getSession(pr.sessionId) : null;
  const objective = store.getObjective(pr.objectiveId);
  const what = feedback.kind.replace('_', ' ');
  const followup = store.createSession({
    objectiveId: pr.objectiveId,
    parentId: manager?.id ?? null,
    role: 'worker',
    agent: author?.agent ?? objective.agent,
    title: `PR #${pr.number}: answer ${what} from ${feedback.author}`.slice(0, 200),
    prompt: [
      `You are on the branch ${pr.branch} of pull request #${pr.number} (${pr.title}).`,
      `Address this ${what} from ${feedback.author}:`,
      '',
      feedback.body,
      '',
      'Make the change, commit it, and summarize what you did.',
    ].join('\n'),
    workspaceKind: 'pr_branch',
    pullRequestId: pr.id,
  });
  store.setFeedbackFollowup(feedback.id, followup.id);
  ctx.log('info', `feedback on PR #${pr.number} → follow-up ${followup.id}`);
  ctx.wake();
}
