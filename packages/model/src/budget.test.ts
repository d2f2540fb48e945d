import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSpent,
  type BudgetLimits,
  type BudgetSpent,
  budgetLevel,
  crossing,
  describeBudget,
  exhaustedDimensions,
  limitsWithin,
  noSpending,
  raiseLimit,
  remaining,
} from './budget.js';
import { assertProperty } from './testing/property.js';

const limits = fc.record(
  {
    tokens: fc.integer({ min: 1, max: 1_000_000 }),
    usd: fc.double({ min: 0.01, max: 100, noNaN: true }),
    modelCalls: fc.integer({ min: 1, max: 1_000 }),
    minutes: fc.double({ min: 0.1, max: 600, noNaN: true }),
  },
  { requiredKeys: [] },
);
const step = fc.record({
  tokens: fc.integer({ min: 0, max: 200_000 }),
  usd: fc.double({ min: 0, max: 20, noNaN: true }),
  modelCalls: fc.integer({ min: 0, max: 200 }),
  minutes: fc.double({ min: 0, max: 100, noNaN: true }),
});

describe('budgets', () => {
  it('crosses each threshold at most once, in order, as spending only grows', () => {
    assertProperty(
      'thresholds crossed once',
      fc.property(limits, fc.array(step, { maxLength: 30 }), (budget, steps) => {
        let spent: BudgetSpent = noSpending;
        const crossed: number[] = [];
        for (const delta of steps) {
          const next = addSpent(spent, delta);
          const level = crossing(budget, spent, next);
          if (level !== null) crossed.push(level);
          spent = next;
        }
        expect([...crossed].sort((a, b) => a - b)).toEqual(crossed);
        expect(new Set(crossed).size).toBe(crossed.length);
        expect(crossed.at(-1) ?? 0).toBe(budgetLevel(budget, spent));
      }),
    );
  });

  it('is at 100 exactly when some limit is reached, and what remains is the limit less the spending', () => {
    assertProperty(
      'level and remaining agree',
      fc.property(limits, step, (budget, spent) => {
        const left = remaining(budget, spent);
        const reached = exhaustedDimensions(budget, spent);
        expect(budgetLevel(budget, spent) === 100).toBe(reached.length > 0);
        for (const dimension of Object.keys(budget) as (keyof BudgetLimits)[]) {
          expect(left[dimension]).toBeCloseTo(Math.max(0, budget[dimension]! - spent[dimension]), 9);
          expect(left[dimension] === 0).toBe(reached.includes(dimension));
        }
      }),
    );
  });

  it('never gives a session more than its objective has left', () => {
    assertProperty(
      'limits within remaining',
      fc.property(limits, limits, (requested, objectiveLeft) => {
        const result = limitsWithin(requested, objectiveLeft);
        for (const dimension of Object.keys(objectiveLeft) as (keyof BudgetLimits)[]) {
          const asked = requested[dimension];
          if (asked === undefined) continue;
          if (result.ok) expect(asked).toBeLessThanOrEqual(objectiveLeft[dimension]!);
          else if (result.dimension === dimension) expect(asked).toBeGreaterThan(objectiveLeft[dimension]!);
        }
        if (result.ok) expect(result.limits).toEqual(requested);
      }),
    );
  });

  it('names what is spent of what, and raises only limited dimensions', () => {
    const budget = { tokens: 50_000, usd: 1 };
    const spent = { tokens: 41_000, usd: 0.42, modelCalls: 3, minutes: 2 };
    expect(describeBudget(budget, spent)).toBe('tokens 41000/50000 · USD 0.42/1.00');
    expect(budgetLevel(budget, spent)).toBe(80);
    expect(raiseLimit(budget, 'tokens', 10_000)).toEqual({ tokens: 60_000, usd: 1 });
    expect(raiseLimit(budget, 'minutes', 10)).toEqual(budget);
    expect(limitsWithin({ usd: 2 }, { usd: 1.5 })).toEqual({
      ok: false,
      dimension: 'usd',
      requested: 2,
      remaining: 1.5,
    });
  });
});
