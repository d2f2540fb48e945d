import type { ObjectiveRow, TargetWithLoad } from '@orcha/client';
import type { OrchaEvent } from '@orcha/model';
import { describe, expect, it } from 'vitest';
import { desktopNotice } from './desktop-notifications';

const state = {
  objectives: { obj_1: { title: 'Ship search' } as ObjectiveRow },
  targets: [{ id: 'tgt_1', name: 'gpu-box' } as TargetWithLoad],
};
const event = (data: Record<string, unknown>) => ({ id: 1, at: 0, ...data }) as OrchaEvent;

describe('desktop notices', () => {
  it('tells questions, ended objectives, budgets at 80% and offline targets, and nothing else', () => {
    expect(
      desktopNotice(
        event({
          type: 'question-open',
          objectiveId: 'obj_1',
          sessionId: null,
          questionId: 'q_1',
          kind: 'ask_user',
        }),
        state,
      ),
    ).toEqual({ title: 'orcha needs you', body: 'Ship search: ask user' });
    expect(
      desktopNotice(
        event({ type: 'objective-status-change', objectiveId: 'obj_1', from: 'active', to: 'done' }),
        state,
      ),
    ).toEqual({ title: 'Objective done', body: 'Ship search' });
    expect(
      desktopNotice(
        event({ type: 'target-status-change', targetId: 'tgt_1', from: 'online', to: 'offline' }),
        state,
      ),
    ).toEqual({ title: 'Target offline', body: 'gpu-box' });
    expect(
      desktopNotice(
        event({ type: 'target-status-change', targetId: 'tgt_1', from: 'online', to: 'draining' }),
        state,
      ),
    ).toBeNull();
    const budget = (from: number, level: number, sessionId: string | null = null) =>
      desktopNotice(
        event({ type: 'budget-change', objectiveId: 'obj_1', sessionId, budget: { usd: 5 }, from, level }),
        state,
      );
    expect(budget(0, 80)).toEqual({
      title: 'Budget at 80%',
      body: 'Ship search: the objective has spent 80% of its budget',
    });
    expect(budget(0, 80, 'ses_1')?.body).toBe('Ship search: a session has spent 80% of its budget');
    expect(budget(80, 100)).toBeNull(); // the budget question tells it
    expect(budget(80, 80)).toBeNull(); // a limit raised: no news
    expect(
      desktopNotice(event({ type: 'objective-create', objectiveId: 'obj_1', title: 'x' }), state),
    ).toBeNull();
  });
});
