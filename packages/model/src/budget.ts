import { z } from 'zod';
import type { Usage } from './entities.js';

/** What a budget can cap. Any subset may be limited; a missing limit is no limit. */
export const budgetDimensions = ['tokens', 'usd', 'modelCalls', 'minutes'] as const;
export type BudgetDimension = (typeof budgetDimensions)[number];

/** Limits of an objective or a session: tokens (input + output), US dollars, model calls, wall-clock minutes. */
export const budgetLimitsSchema = z
  .object({
    tokens: z.number().int().positive().optional(),
    usd: z.number().positive().optional(),
    modelCalls: z.number().int().positive().optional(),
    minutes: z.number().positive().optional(),
  })
  .strict();
export type BudgetLimits = z.infer<typeof budgetLimitsSchema>;

/** What was spent, in the same dimensions. */
export type BudgetSpent = Record<BudgetDimension, number>;

export const noSpending: BudgetSpent = { tokens: 0, usd: 0, modelCalls: 0, minutes: 0 };

/** The first threshold is a warning (the person is told), the second stops the work. */
export const budgetLevelSchema = z.union([z.literal(0), z.literal(80), z.literal(100)]);
export type BudgetLevel = z.infer<typeof budgetLevelSchema>;

const units: Record<BudgetDimension, string> = {
  tokens: 'tokens',
  usd: 'USD',
  modelCalls: 'model calls',
  minutes: 'minutes',
};

export function budgetUnit(dimension: BudgetDimension): string {
  return units[dimension];
}

/** A provider's usage plus the wall-clock minutes it ran, as budget spending. */
export function spentOf(usage: Usage, minutes: number): BudgetSpent {
  return {
    tokens: usage.inputTokens + usage.outputTokens,
    usd: usage.costUsd,
    modelCalls: usage.modelCalls,
    minutes,
  };
}

export function addSpent(a: BudgetSpent, b: BudgetSpent): BudgetSpent {
  return {
    tokens: a.tokens + b.tokens,
    usd: a.usd + b.usd,
    modelCalls: a.modelCalls + b.modelCalls,
    minutes: a.minutes + b.minutes,
  };
}

export function isLimited(limits: BudgetLimits): boolean {
  return budgetDimensions.some((dimension) => limits[dimension] !== undefined);
}

/** What is left of each limited dimension (never below 0); unlimited dimensions stay absent. */
export function remaining(limits: BudgetLimits, spent: BudgetSpent): BudgetLimits {
  const left: BudgetLimits = {};
  for (const dimension of budgetDimensions) {
    const limit = limits[dimension];
    if (limit !== undefined) left[dimension] = Math.max(0, limit - spent[dimension]);
  }
  return left;
}

/** The dimensions whose limit is reached. */
export function exhaustedDimensions(limits: BudgetLimits, spent: BudgetSpent): BudgetDimension[] {
  return budgetDimensions.filter((dimension) => {
    const limit = limits[dimension];
    return limit !== undefined && spent[dimension] >= limit;
  });
}

/** The highest share of any limit that is spent (0 without limits), e.g. 0.8 at 80 %. */
export function spentShare(limits: BudgetLimits, spent: BudgetSpent): number {
  let share = 0;
  for (const dimension of budgetDimensions) {
    const limit = limits[dimension];
    if (limit !== undefined) share = Math.max(share, spent[dimension] / limit);
  }
  return share;
}

export function budgetLevel(limits: BudgetLimits, spent: BudgetSpent): BudgetLevel {
  const share = spentShare(limits, spent);
  return share >= 1 ? 100 : share >= 0.8 ? 80 : 0;
}

/** The threshold crossed going from `before` to `after`, or null when the level did not rise. */
export function crossing(limits: BudgetLimits, before: BudgetSpent, after: BudgetSpent): BudgetLevel | null {
  const from = budgetLevel(limits, before);
  const to = budgetLevel(limits, after);
  return to > from ? to : null;
}

/**
 * A session's own limits within its objective's remaining budget: asking for more than remains in any
 * dimension is refused (never silently lowered), naming the dimension. Dimensions the request leaves open
 * stay open: the objective's own budget still covers them.
 */
export function limitsWithin(
  requested: BudgetLimits,
  objectiveRemaining: BudgetLimits,
):
  | { ok: true; limits: BudgetLimits }
  | { ok: false; dimension: BudgetDimension; requested: number; remaining: number } {
  const limits: BudgetLimits = { ...requested };
  for (const dimension of budgetDimensions) {
    const left = objectiveRemaining[dimension];
    if (left === undefined) continue;
    const asked = requested[dimension];
    if (asked !== undefined && asked > left)
      return { ok: false, dimension, requested: asked, remaining: left };
  }
  return { ok: true, limits };
}

/** Default limits lowered to what remains (a default is a ceiling, not a request to refuse). */
export function clampLimits(limits: BudgetLimits, objectiveRemaining: BudgetLimits): BudgetLimits {
  const clamped: BudgetLimits = { ...limits };
  for (const dimension of budgetDimensions) {
    const limit = clamped[dimension];
    const left = objectiveRemaining[dimension];
    if (limit !== undefined && left !== undefined && left < limit && left > 0) clamped[dimension] = left;
  }
  return clamped;
}

/** Raises one dimension's limit by `amount` (the person's "add N"); an unlimited dimension stays unlimited. */
export function raiseLimit(limits: BudgetLimits, dimension: BudgetDimension, amount: number): BudgetLimits {
  const limit = limits[dimension];
  if (limit === undefined) return limits;
  const raised = limit + amount;
  return {
    ...limits,
    [dimension]: dimension === 'usd' || dimension === 'minutes' ? raised : Math.round(raised),
  };
}

/** One line for people: "tokens 41,000/50,000 · USD 0.42/1.00". */
export function describeBudget(limits: BudgetLimits, spent: BudgetSpent): string {
  return budgetDimensions
    .filter((dimension) => limits[dimension] !== undefined)
    .map((dimension) => {
      const format = (value: number) =>
        dimension === 'usd' ? value.toFixed(2) : dimension === 'minutes' ? value.toFixed(1) : String(value);
      return `${units[dimension]} ${format(spent[dimension])}/${format(limits[dimension]!)}`;
    })
    .join(' · ');
}
