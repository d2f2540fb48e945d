import type { PullRequestState } from './states.js';

export interface PushRequest {
  force: boolean;
  /** Why a force push is needed; required and recorded when `force` is true. */
  reason?: string | undefined;
}

export type PushDecision =
  | { decision: 'allow'; force: boolean; reason: string | null }
  | { decision: 'refuse'; reason: string }
  | { decision: 'needs_manager_decision'; reason: string };

/**
 * Push safety. Never push to a merged pull request; a closed one needs the manager to decide (reopen or
 * open a new one); a force push needs a non-empty, recorded reason.
 */
export function evaluatePush(pr: { state: PullRequestState }, request: PushRequest): PushDecision {
  switch (pr.state) {
    case 'merged':
      return { decision: 'refuse', reason: 'the pull request is merged; open a new one for further changes' };
    case 'closed':
      return {
        decision: 'needs_manager_decision',
        reason: 'the pull request is closed; decide whether to reopen it or open a new one',
      };
    case 'open': {
      if (!request.force) return { decision: 'allow', force: false, reason: null };
      const reason = request.reason?.trim() ?? '';
      if (reason === '') return { decision: 'refuse', reason: 'a force push needs a reason' };
      return { decision: 'allow', force: true, reason };
    }
    default: {
      const unreachable: never = pr.state;
      throw new Error(`unknown pull request state ${String(unreachable)}`);
    }
  }
}
