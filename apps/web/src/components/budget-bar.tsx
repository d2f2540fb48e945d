import type { BudgetLimits } from '@orcha/model';

/** What was spent against a budget, in its dimensions (the model's `BudgetSpent`). */
export interface Spent {
  tokens: number;
  usd: number;
  modelCalls: number;
  minutes: number;
}

const names: Record<keyof Spent, string> = {
  tokens: 'tokens',
  usd: 'USD',
  modelCalls: 'calls',
  minutes: 'min',
};

/**
 * Spent / budget as a thin bar under a cost figure: the share of the most-spent limit (as the server's
 * enforcement reads it), amber from 80 %, red at 100 %. Its label and tooltip name each limit. The model's
 * budget functions are not imported, to keep zod out of the dashboard's bundle.
 */
export function BudgetBar({ limits, spent, label }: { limits: BudgetLimits; spent: Spent; label: string }) {
  let share = 0;
  const parts: string[] = [];
  for (const dimension of Object.keys(names) as (keyof Spent)[]) {
    const limit = limits[dimension];
    if (limit === undefined) continue;
    share = Math.max(share, spent[dimension] / limit);
    const format = (value: number) => (dimension === 'usd' ? value.toFixed(2) : String(Math.round(value)));
    parts.push(`${names[dimension]} ${format(spent[dimension])}/${format(limit)}`);
  }
  const text = parts.join(' · ');
  const tone = share >= 1 ? 'spent' : share >= 0.8 ? 'warn' : 'ok';
  return (
    <meter
      className={`budget-bar budget-${tone}`}
      min={0}
      max={1}
      value={Math.min(1, share)}
      aria-label={`${label}: ${Math.round(share * 100)}% of budget (${text})`}
      title={`budget: ${text}`}
      data-budget-share={share.toFixed(3)}
    />
  );
}
