import { isOrchaError, sessionStatuses } from '@orcha/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyPageSize, type Store } from '../src/index.js';
import { engine, openTestStore } from './helpers.js';

let store: Store;
let opened: ReturnType<typeof openTestStore>;
let cleanup: () => void;
let clock: { now: number };

beforeEach(() => {
  opened = openTestStore();
  ({ store, cleanup, clock } = opened);
});
afterEach(() => cleanup());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isOrchaError(error) ? error.code : 'not an OrchaError';
  }
  return undefined;
}

/** Creates objectives one clock tick apart; the first `finished` of them end in creation order. */
function objectives(count: number, finished: number) {
  const created = Array.from({ length: count }, (_, index) => {
    clock.now += 1;
    return store.createObjective({ title: `objective ${index}`, prompt: 'p', agent: 'fake' });
  });
  for (const { objective, manager } of created.slice(0, finished)) {
    clock.now += 1;
    store.updateSessionStatus(manager.id, 'canceled', { reason: 'finished' });
    store.updateObjectiveStatus(objective.id, 'canceled');
  }
  return created.map(({ objective, manager }) => ({ id: objective.id, managerId: manager.id }));
}

describe('dashboard history', () => {
  it('holds every active objective and one page of the most recently finished, each with its sessions', () => {
    const created = objectives(26, 23);
    const summary = store.dashboardSummary();
    const active = created.slice(23).reverse();
    const firstPage = created.slice(23 - historyPageSize, 23).reverse();
    expect(summary.objectives.map((objective) => objective.id)).toEqual(
      [...active, ...firstPage].map((objective) => objective.id),
    );
    expect(new Set(summary.sessions.map((row) => row.id))).toEqual(
      new Set([...active, ...firstPage].map((objective) => objective.managerId)),
    );
    expect(summary.historyNext).toBe(firstPage[firstPage.length - 1]!.id);
  });

  it('pages through all finished objectives with before= and ends with next null', () => {
    const created = objectives(47, 45);
    const seen: string[] = [];
    let page = store.objectiveHistory({ limit: 10 });
    seen.push(...page.objectives.map((objective) => objective.id));
    while (page.next) {
      expect(page.sessions.map((row) => row.objectiveId).sort()).toEqual(
        page.objectives.map((objective) => objective.id).sort(),
      );
      page = store.objectiveHistory({ before: page.next, limit: 10 });
      seen.push(...page.objectives.map((objective) => objective.id));
    }
    expect(seen).toEqual(
      created
        .slice(0, 45)
        .reverse()
        .map((objective) => objective.id),
    );
    expect(page.objectives).toHaveLength(5);
    expect(store.dashboardSummary().historyNext).toBe(created[45 - historyPageSize]!.id);
  });

  it('orders finished objectives by when they finished, not when they were created', () => {
    const [older, newer] = objectives(2, 0);
    clock.now += 1;
    store.updateObjectiveStatus(newer!.id, 'done');
    clock.now += 1;
    store.updateObjectiveStatus(older!.id, 'done');
    expect(store.objectiveHistory().objectives.map((objective) => objective.id)).toEqual([
      older!.id,
      newer!.id,
    ]);
  });

  it('refuses a bad cursor or limit with a clear error', () => {
    expect(codeOf(() => store.objectiveHistory({ before: 'obj_00000000000000000000000000' }))).toBe(
      'not_found',
    );
    expect(codeOf(() => store.objectiveHistory({ before: 'not an id' }))).toBe('invalid_argument');
    expect(codeOf(() => store.objectiveHistory({ limit: 0 }))).toBe('invalid_argument');
    expect(codeOf(() => store.objectiveHistory({ limit: 10_000 }))).toBe('invalid_argument');
  });
});

describe('session counts', () => {
  it('are kept by the aggregate and equal a count of the rows after creates, transitions and ends', () => {
    const created = objectives(30, 12);
    for (const { managerId } of created.slice(12, 20)) {
      store.updateSessionStatus(managerId, 'starting');
      store.updateSessionStatus(managerId, 'running');
    }
    const counts = store.dashboardSummary().counts;
    const rows = opened.query('SELECT status, COUNT(*) AS n FROM sessions GROUP BY status') as {
      status: string;
      n: number;
    }[];
    const expected = Object.fromEntries(sessionStatuses.map((status) => [status, 0]));
    for (const row of rows) expected[row.status] = row.n;
    expect(Object.fromEntries(sessionStatuses.map((status) => [status, counts[status]]))).toEqual(expected);
    expect(counts).toMatchObject({ canceled: 12, running: 8, queued: 10 });
    // The counts come from the aggregate table, not from the session rows.
    expect(opened.explain('SELECT status, n FROM session_status_counts')).not.toMatch(/sessions\b/);
  });

  it('reads history pages through the partial index, never by scanning every objective', () => {
    objectives(3, 2);
    const plan = opened.explain(
      `SELECT id FROM objectives WHERE status != 'active' AND (updated_at, id) < (?, ?)
        ORDER BY updated_at DESC, id DESC LIMIT 5`,
      [Number.MAX_SAFE_INTEGER, ''],
    );
    expect(plan).toContain('objectives_history');
    // Read in index order: no sort of the rows it found.
    expect(plan).not.toContain(engine === 'sqlite' ? 'TEMP B-TREE' : 'Sort');
  });
});
