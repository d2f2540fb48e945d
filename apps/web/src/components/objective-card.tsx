import { memo } from 'react';
import { api } from '../api/orcha';
import { formatCost, formatCount } from '../lib/format';
import { matchesFilter, sessionTree } from '../lib/session-tree';
import { isCollapsed, setCollapsed, useCollapsedOverrides } from '../state/collapsed';
import { useDashboard } from '../state/use-dashboard';
import { BudgetBar } from './budget-bar';
import { ConfirmButton } from './confirm-button';
import { SessionRowView } from './session-row';

interface Props {
  objectiveId: string;
  filter: string;
  cursor: string | null;
  openSessionId: string | null;
}

/** An objective: its state, totals, and the manager → workers → follow-ups tree. */
export const ObjectiveCard = memo(function ObjectiveCard({
  objectiveId,
  filter,
  cursor,
  openSessionId,
}: Props) {
  const objective = useDashboard((state) => state.objectives[objectiveId]);
  const ids = useDashboard((state) => state.sessionsByObjective[objectiveId]);
  const sessions = useDashboard((state) => state.sessions);
  const targets = useDashboard((state) => state.targets);
  useCollapsedOverrides();
  if (!objective) return null;
  const tree = sessionTree(ids ?? [], sessions);
  const rows = filter
    ? tree.filter((row) => matchesFilter(sessions[row.id]!, objective.title, filter))
    : tree;
  if (filter && rows.length === 0) return null;
  const active = objective.status === 'active';
  const collapsed = !filter && isCollapsed(objectiveId, active);
  let tokens = 0;
  let cost = 0;
  let modelCalls = 0;
  const byStatus: Record<string, number> = {};
  for (const row of tree) {
    const session = sessions[row.id]!;
    tokens += session.usage.inputTokens + session.usage.outputTokens;
    cost += session.usage.costUsd;
    modelCalls += session.usage.modelCalls;
    byStatus[session.status] = (byStatus[session.status] ?? 0) + 1;
  }
  const summary = Object.entries(byStatus)
    .map(([status, n]) => `${n} ${status.replace('_', ' ')}`)
    .join(' · ');
  const targetNames = new Map(targets.map((target) => [target.id, target.name]));
  const headingId = `objective-${objectiveId}`;
  return (
    <section
      className={`objective status-${objective.status}`}
      aria-labelledby={headingId}
      data-objective-id={objectiveId}
    >
      <header className="objective-head">
        <button
          type="button"
          className="fold"
          aria-expanded={!collapsed}
          aria-controls={`${headingId}-sessions`}
          aria-label={`${collapsed ? 'Show' : 'Hide'} sessions of ${objective.title}`}
          onClick={() => setCollapsed(objectiveId, !collapsed)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
        <span className={`chip status-${objective.status}`}>{objective.status}</span>
        <h3 id={headingId} className="objective-title" title={objective.title}>
          {objective.title}
        </h3>
        <span className="objective-meta">
          {objective.repo && (
            <span className="mono" title="repository and base branch">
              {objective.repo}
              {objective.baseBranch ? `@${objective.baseBranch}` : ''}
            </span>
          )}
          <span>{objective.agent}</span>
          <span title={summary}>{summary || 'no sessions'}</span>
        </span>
        {/* Outside the clipped meta line: the figure is never cut ("$0.13" once read "$0"). */}
        <span className="objective-usage mono" data-objective-usage>
          {formatCount(tokens)} tok · {formatCost(cost)}
          {objective.budget && (
            <BudgetBar
              limits={objective.budget}
              spent={{
                tokens,
                usd: cost,
                modelCalls,
                minutes: ((active ? Date.now() : objective.updatedAt) - objective.createdAt) / 60_000,
              }}
              label={`${objective.title} spent`}
            />
          )}
        </span>
        {active && (
          <ConfirmButton
            label="Cancel"
            confirmLabel="Confirm cancel"
            ariaLabel={`Cancel objective ${objective.title}`}
            action={() => api.cancelObjective(objectiveId)}
          />
        )}
      </header>
      {objective.summary && <p className="objective-summary">{objective.summary}</p>}
      {!collapsed && (
        <ul
          className="session-tree"
          id={`${headingId}-sessions`}
          aria-label={`Sessions of ${objective.title}`}
        >
          {rows.map((row) => (
            <SessionRowView
              key={row.id}
              session={sessions[row.id]!}
              depth={row.depth}
              selected={cursor === row.id}
              open={openSessionId === row.id}
              targetName={targetNames.get(sessions[row.id]!.targetId ?? '')}
            />
          ))}
        </ul>
      )}
    </section>
  );
});
