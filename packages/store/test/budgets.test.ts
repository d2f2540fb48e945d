import { isOrchaError } from '@orcha/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/index.js';
import { openTestStore } from './helpers.js';

let store: Store;
let cleanup: () => void;

beforeEach(() => {
  ({ store, cleanup } = openTestStore());
});
afterEach(() => cleanup());

describe('budgets in the store', () => {
  it('keeps objective and session budgets, their levels, and says each change in one event', () => {
    const { objective, manager } = store.createObjective({
      title: 'Capped',
      prompt: 'spend little',
      agent: 'fake',
      budget: { usd: 2, tokens: 100_000 },
      managerBudget: { usd: 1 },
    });
    expect(store.getObjective(objective.id)).toMatchObject({
      budget: { usd: 2, tokens: 100_000 },
      budgetLevel: 0,
    });
    expect(store.getSession(manager.id)).toMatchObject({ budget: { usd: 1 }, budgetLevel: 0 });
    const worker = store.createSession({
      objectiveId: objective.id,
      role: 'worker',
      agent: 'fake',
      title: 'w',
      prompt: 'p',
      budget: { modelCalls: 5 },
    });
    const before = store.latestEventId();
    store.setBudget({ objectiveId: objective.id, sessionId: worker.id }, { level: 80 });
    store.setBudget({ objectiveId: objective.id }, { budget: { usd: 3 }, level: 100 });
    expect(store.getSession(worker.id)).toMatchObject({ budget: { modelCalls: 5 }, budgetLevel: 80 });
    expect(store.getObjective(objective.id)).toMatchObject({ budget: { usd: 3 }, budgetLevel: 100 });
    const events = store.listEvents({ after: before }).map(({ id: _id, at: _at, ...event }) => event);
    expect(events).toEqual([
      {
        type: 'budget-change',
        objectiveId: objective.id,
        sessionId: worker.id,
        budget: { modelCalls: 5 },
        from: 0,
        level: 80,
      },
      {
        type: 'budget-change',
        objectiveId: objective.id,
        sessionId: null,
        budget: { usd: 3 },
        from: 0,
        level: 100,
      },
    ]);
    const summary = store.dashboardSummary();
    expect(summary.objectives[0]).toMatchObject({ budget: { usd: 3 }, budgetLevel: 100 });
    expect(summary.sessions.find((row) => row.id === worker.id)).toMatchObject({
      budget: { modelCalls: 5 },
      budgetLevel: 80,
    });
    expect(summary.sessions.find((row) => row.id === manager.id)).toMatchObject({ budget: { usd: 1 } });
  });

  it('refuses a bad budget and changes nothing', () => {
    const { objective } = store.createObjective({ title: 'x', prompt: '', agent: 'fake' });
    let code: unknown;
    try {
      store.setBudget({ objectiveId: objective.id }, { budget: { usd: -1 } });
    } catch (error) {
      code = isOrchaError(error) ? error.code : error;
    }
    expect(code).toBe('invalid_argument');
    expect(store.getObjective(objective.id).budget).toBeNull();
  });
});
