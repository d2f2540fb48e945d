import type { SessionRow } from '@orcha/client';

export interface TreeRow {
  id: string;
  depth: number;
}

/**
 * Orders an objective's sessions as a tree: the manager, its workers under it, follow-ups under the
 * session that spawned them. Sessions whose parent is not listed become roots.
 */
export function sessionTree(ids: readonly string[], sessions: Record<string, SessionRow>): TreeRow[] {
  const present = new Set(ids);
  const children = new Map<string | null, string[]>();
  for (const id of ids) {
    const parent = sessions[id]?.parentId ?? null;
    const key = parent && present.has(parent) ? parent : null;
    const list = children.get(key);
    if (list) list.push(id);
    else children.set(key, [id]);
  }
  const rows: TreeRow[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const id of children.get(parent) ?? []) {
      rows.push({ id, depth });
      visit(id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

/** Whether a session row (or its objective's title) matches the filter text. */
export function matchesFilter(session: SessionRow, objectiveTitle: string, filter: string): boolean {
  if (!filter) return true;
  const needle = filter.toLowerCase();
  return [
    session.title,
    session.agent,
    session.status,
    session.role,
    session.lastActivity ?? '',
    objectiveTitle,
    session.id,
  ].some((field) => field.toLowerCase().includes(needle));
}
