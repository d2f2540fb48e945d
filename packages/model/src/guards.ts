import type { GuardCounters } from './entities.js';

/** Limits that pause a session instead of burning quota. A limit of 0 turns that guard off. */
export interface GuardPolicy {
  /** The same error this many times in a row. */
  maxSameError: number;
  /** This many completed turns in a row without progress (no tool call, no file change, no output). */
  maxNoProgressTurns: number;
  /** This many model calls in one session. */
  maxModelCalls: number;
}

export const defaultGuardPolicy: GuardPolicy = { maxSameError: 3, maxNoProgressTurns: 5, maxModelCalls: 200 };

export type GuardVerdict =
  | { trip: false }
  | { trip: true; guard: 'same_error' | 'no_progress' | 'model_calls'; reason: string };

/** Folds an error into the counters; errors are compared by a short key (kind plus normalized message). */
export function recordError(counters: GuardCounters, errorKey: string): GuardCounters {
  const same = counters.lastErrorKey === errorKey;
  return { ...counters, lastErrorKey: errorKey, sameErrorCount: same ? counters.sameErrorCount + 1 : 1 };
}

/** Folds a finished turn into the counters. Progress resets the no-progress run and the error run. */
export function recordTurn(counters: GuardCounters, progress: boolean): GuardCounters {
  return {
    ...counters,
    turns: counters.turns + 1,
    noProgressTurns: progress ? 0 : counters.noProgressTurns + 1,
    ...(progress ? { lastErrorKey: null, sameErrorCount: 0 } : {}),
  };
}

export function evaluateGuards(
  policy: GuardPolicy,
  counters: GuardCounters,
  modelCalls: number,
): GuardVerdict {
  if (policy.maxSameError > 0 && counters.sameErrorCount >= policy.maxSameError) {
    return {
      trip: true,
      guard: 'same_error',
      reason:
        `the same error ${counters.sameErrorCount} times in a row: ${counters.lastErrorKey ?? ''}`.trim(),
    };
  }
  if (policy.maxNoProgressTurns > 0 && counters.noProgressTurns >= policy.maxNoProgressTurns) {
    return { trip: true, guard: 'no_progress', reason: `no progress for ${counters.noProgressTurns} turns` };
  }
  const calls = modelCalls - (counters.modelCallBase ?? 0);
  if (policy.maxModelCalls > 0 && calls >= policy.maxModelCalls) {
    return {
      trip: true,
      guard: 'model_calls',
      reason: `model-call cap reached (${calls}/${policy.maxModelCalls})`,
    };
  }
  return { trip: false };
}

/** A short, stable key for an error: kind plus the message with numbers and ids folded away. */
export function errorKey(kind: string, message: string): string {
  const folded = message
    .toLowerCase()
    .replace(/[0-9a-f]{8,}/g, '#')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
  return `${kind}: ${folded}`;
}
