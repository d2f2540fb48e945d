import type { Logger, Orchestrator } from '@orcha/core';
import type { FakeForge } from '@orcha/forge';

/**
 * The live offline demo: on a fresh data dir it creates one objective for the fake agents, and it plays the
 * reviewer on the in-memory forge — the first pull request of each objective gets a review a moment after
 * it opens, which the feedback monitor turns into a follow-up worker.
 */
export function startDemo(
  orchestrator: Orchestrator,
  forge: FakeForge,
  log: Logger,
  options: { reviewDelayMs?: number } = {},
) {
  const { store } = orchestrator;
  const timers = new Set<NodeJS.Timeout>();
  const reviewed = new Set<string>();
  const unsubscribe = store.subscribe((events) => {
    for (const event of events) {
      if (event.type !== 'pr-open' || reviewed.has(event.objectiveId)) continue;
      reviewed.add(event.objectiveId);
      const pr = store.getPullRequest(event.pullRequestId);
      const timer = setTimeout(() => {
        timers.delete(timer);
        forge.addReview(pr.repo, pr.number, {
          author: 'demo-reviewer',
          body: 'Looks good overall; please add a short note on how to roll this back.',
          state: 'changes_requested',
        });
        log('info', `demo: reviewer asked for changes on PR #${pr.number}`);
        void orchestrator.pollFeedback();
      }, options.reviewDelayMs ?? 1_500);
      timers.add(timer);
    }
  });
  if (store.listObjectives().length === 0) {
    void orchestrator
      .createObjective({
        title: 'Add a health check endpoint to demo/app',
        prompt: 'Add GET /health to demo/app returning {"ok":true}, with a test and a README note.',
        repo: 'demo/app',
        agent: 'fake',
      })
      .then(
        ({ objective }) => log('info', `demo: created objective ${objective.id} for the fake agents`),
        (error) => log('error', 'demo: could not create its objective', { error: String(error) }),
      );
  }
  return {
    stop() {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
