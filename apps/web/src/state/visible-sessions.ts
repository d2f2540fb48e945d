import { matchesFilter, sessionTree } from '../lib/session-tree';
import { isCollapsed } from './collapsed';
import type { DashboardState } from './dashboard-state';

/**
 * The session ids in the order the overview shows them (filtered, folded objectives skipped). Computed
 * when a key is pressed, so j/k walk exactly what is on screen.
 */
export function visibleSessionIds(state: DashboardState, filter: string): string[] {
  const ids: string[] = [];
  for (const objectiveId of state.objectiveOrder) {
    const objective = state.objectives[objectiveId];
    if (!objective) continue;
    if (!filter && isCollapsed(objectiveId, objective.status === 'active')) continue;
    for (const row of sessionTree(state.sessionsByObjective[objectiveId] ?? [], state.sessions)) {
      if (matchesFilter(state.sessions[row.id]!, objective.title, filter)) ids.push(row.id);
    }
  }
  return ids;
}
