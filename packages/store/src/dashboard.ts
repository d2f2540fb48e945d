import {
  type BudgetLevel,
  type BudgetLimits,
  idSchema,
  type ObjectiveStatus,
  OrchaError,
  type PullRequest,
  type SessionStatus,
  sessionStatuses,
  type Usage,
} from '@orcha/model';
import { asc, eq, inArray, or } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { toPullRequest } from './rows.js';
import { pullRequests } from './schema.js';

/** A session as the overview shows it: no prompt, no transcript, nothing large. */
export interface SessionRow {
  id: string;
  objectiveId: string;
  parentId: string | null;
  role: 'manager' | 'worker';
  agent: string;
  title: string;
  status: SessionStatus;
  statusReason: string | null;
  targetId: string | null;
  pullRequestId: string | null;
  interactivity: 'interactive' | 'noninteractive';
  attachCommand: string | null;
  usage: Usage;
  lastActivity: string | null;
  messageCount: number;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  budget: BudgetLimits | null;
  budgetLevel: BudgetLevel;
}

export interface ObjectiveRow {
  id: string;
  title: string;
  status: ObjectiveStatus;
  agent: string;
  repo: string | null;
  baseBranch: string | null;
  summary: string | null;
  budget: BudgetLimits | null;
  budgetLevel: BudgetLevel;
  createdAt: number;
  updatedAt: number;
}

export interface DashboardSummary {
  counts: Record<SessionStatus, number> & {
    openQuestions: number;
    openPullRequests: number;
    targetsOnline: number;
  };
  /** Every active objective, then the first page of finished ones (most recently finished first). */
  objectives: ObjectiveRow[];
  /** The sessions of those objectives (at most the newest 2,000), oldest first. */
  sessions: SessionRow[];
  /** Open pull requests and those of the objectives above. */
  pullRequests: PullRequest[];
  /** Where the next history page starts (`objectiveHistory({ before })`); null when nothing older is left. */
  historyNext: string | null;
}

/** A page of finished objectives with their sessions. */
export interface HistoryPage {
  objectives: ObjectiveRow[];
  sessions: SessionRow[];
  /** Pass as `before` for the page after this one; null when this is the last. */
  next: string | null;
}

export interface HistoryQuery {
  /** An objective id from a previous page's `next`: the page holds objectives finished before it. */
  before?: string | undefined;
  limit?: number | undefined;
}

/** Finished objectives in the dashboard's first answer, and in a history page unless asked otherwise. */
export const historyPageSize = 20;
export const maxHistoryPageSize = 200;
const maxSessions = 2_000;

/**
 * One session row as the database encodes it for the overview: a JSON array in `SessionRow` field order, with
 * `usage` already parsed (`json(usage)`). One short JSON text per row is cheaper than materializing 19
 * columns per row through the driver, and, unlike one big text for all rows, it stays in V8's young
 * generation: a text of several hundred KB goes to the large-object space and every call then costs a
 * full garbage collection sooner or later.
 */
type SessionTuple = [
  id: string,
  objectiveId: string,
  parentId: string | null,
  role: SessionRow['role'],
  agent: string,
  title: string,
  status: SessionStatus,
  statusReason: string | null,
  targetId: string | null,
  pullRequestId: string | null,
  interactivity: SessionRow['interactivity'],
  attachCommand: string | null,
  usage: Usage,
  lastActivity: string | null,
  messageCount: number,
  createdAt: number,
  updatedAt: number,
  startedAt: number | null,
  endedAt: number | null,
  budget: BudgetLimits | null,
  budgetLevel: BudgetLevel,
];

function toSessionRow(tuple: SessionTuple): SessionRow {
  return {
    id: tuple[0],
    objectiveId: tuple[1],
    parentId: tuple[2],
    role: tuple[3],
    agent: tuple[4],
    title: tuple[5],
    status: tuple[6],
    statusReason: tuple[7],
    targetId: tuple[8],
    pullRequestId: tuple[9],
    interactivity: tuple[10],
    attachCommand: tuple[11],
    usage: tuple[12],
    lastActivity: tuple[13],
    messageCount: tuple[14],
    createdAt: tuple[15],
    updatedAt: tuple[16],
    startedAt: tuple[17],
    endedAt: tuple[18],
    budget: tuple[19],
    budgetLevel: tuple[20],
  };
}

const byCreation = (a: SessionRow, b: SessionRow) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const historyQuery = z.object({
  before: idSchema('objective').optional(),
  limit: z.number().int().min(1).max(maxHistoryPageSize).optional(),
});

const objectiveColumns = `id, title, status, agent, repo, base_branch AS baseBranch, summary, budget,
  budget_level AS budgetLevel, created_at AS createdAt, updated_at AS updatedAt`;

/** Objective rows as SQLite answers them: the budget still JSON text (written by the store, validated). */
function toObjectiveRows(rows: unknown[]): ObjectiveRow[] {
  return (rows as (Omit<ObjectiveRow, 'budget'> & { budget: string | null })[]).map((row) => ({
    ...row,
    budget: row.budget === null ? null : (JSON.parse(row.budget) as BudgetLimits),
  }));
}

/**
 * The overview in a handful of prepared, indexed queries whose cost follows what is active, not how long
 * the history is: counts from the trigger-kept `session_status_counts`, every active objective, one page of
 * finished ones (the partial index `objectives_history`), and small rows of those objectives' sessions
 * (through `sessions_objective`). Transcripts are never read.
 *
 * The session rows skip zod on purpose: every column was written by the store from validated input (`usage`
 * through `usageSchema` in `updateSession`), and the dashboard reads them on every page load and reconnect.
 */
export function dashboardQueries(ctx: StoreContext) {
  const statusCounts = ctx.sqlite.prepare('SELECT status, n FROM session_status_counts');
  const otherCounts = ctx.sqlite.prepare(
    `SELECT (SELECT COUNT(*) FROM questions WHERE status = 'open') AS openQuestions,
            (SELECT COUNT(*) FROM pull_requests WHERE state = 'open') AS openPullRequests,
            (SELECT COUNT(*) FROM targets WHERE status = 'online') AS targetsOnline`,
  );
  const activeObjectives = ctx.sqlite.prepare(
    `SELECT ${objectiveColumns} FROM objectives WHERE status = 'active' ORDER BY created_at DESC`,
  );
  // Row values walk the partial index from the cursor on; one row more than asked tells whether more exist.
  const finishedObjectives = ctx.sqlite.prepare(
    `SELECT ${objectiveColumns} FROM objectives
      WHERE status != 'active' AND (updated_at, id) < (?, ?)
      ORDER BY updated_at DESC, id DESC LIMIT ?`,
  );
  const cursorOf = ctx.sqlite.prepare('SELECT updated_at AS updatedAt, id FROM objectives WHERE id = ?');
  // The newest sessions are picked by sorting narrow keys only, then their rows are read by rowid: sorting
  // whole rows in SQLite's temp b-tree cost more than everything else here together.
  const sessionRows = ctx.sqlite
    .prepare(
      ctx.dialect === 'postgres'
        ? `SELECT json_build_array(id, objective_id, parent_id, role, agent, title, status, status_reason, target_id,
                         pull_request_id, interactivity, attach_command, usage::json, last_activity, message_count,
                         created_at, updated_at, started_at, ended_at, budget::json, budget_level)::text
             FROM sessions
            WHERE objective_id IN (SELECT json_array_elements_text(?::json))
            ORDER BY created_at DESC, id DESC LIMIT ${maxSessions}`
        : `SELECT json_array(id, objective_id, parent_id, role, agent, title, status, status_reason, target_id,
                         pull_request_id, interactivity, attach_command, json(usage), last_activity, message_count,
                         created_at, updated_at, started_at, ended_at, json(budget), budget_level)
         FROM sessions
        WHERE rowid IN (SELECT rowid FROM sessions WHERE objective_id IN (SELECT value FROM json_each(?))
                         ORDER BY created_at DESC, id DESC LIMIT ${maxSessions})`,
    )
    .pluck();
  const pullRequestsOf = (objectiveIds: string[]): PullRequest[] =>
    ctx.db
      .select()
      .from(pullRequests)
      .where(or(eq(pullRequests.state, 'open'), inArray(pullRequests.objectiveId, objectiveIds)))
      .orderBy(asc(pullRequests.createdAt))
      .all()
      .map(toPullRequest);

  const sessionsOf = (objectives: ObjectiveRow[]): SessionRow[] =>
    objectives.length === 0
      ? []
      : // The database's own JSON encoding of the store's columns: trusted, so parsed without a schema.
        (sessionRows.all(JSON.stringify(objectives.map((objective) => objective.id))) as string[])
          .map((text) => toSessionRow(JSON.parse(text) as SessionTuple))
          .sort(byCreation);

  const finishedPage = (query: HistoryQuery): { objectives: ObjectiveRow[]; next: string | null } => {
    const { before, limit = historyPageSize } = parseInput(historyQuery, query, 'history query');
    let cursor: { updatedAt: number; id: string } = { updatedAt: Number.MAX_SAFE_INTEGER, id: '' };
    if (before !== undefined) {
      const found = cursorOf.get(before) as { updatedAt: number; id: string } | undefined;
      if (!found) throw new OrchaError('not_found', `no objective ${before}`);
      cursor = found;
    }
    const rows = toObjectiveRows(finishedObjectives.all(cursor.updatedAt, cursor.id, limit + 1));
    const objectives = rows.slice(0, limit);
    return { objectives, next: rows.length > limit ? objectives[objectives.length - 1]!.id : null };
  };

  return {
    dashboardSummary(): DashboardSummary {
      const counts = Object.fromEntries(sessionStatuses.map((status) => [status, 0])) as Record<
        SessionStatus,
        number
      >;
      for (const row of statusCounts.all() as { status: SessionStatus; n: number }[])
        counts[row.status] = row.n;
      const rest = otherCounts.get() as {
        openQuestions: number;
        openPullRequests: number;
        targetsOnline: number;
      };
      const history = finishedPage({});
      const objectives = [...toObjectiveRows(activeObjectives.all()), ...history.objectives];
      return {
        counts: { ...counts, ...rest },
        objectives,
        sessions: sessionsOf(objectives),
        pullRequests: pullRequestsOf(objectives.map((objective) => objective.id)),
        historyNext: history.next,
      };
    },

    /** Finished objectives older than `before` (most recently finished first), with their sessions. */
    objectiveHistory(query: HistoryQuery = {}): HistoryPage {
      const page = finishedPage(query);
      return { ...page, sessions: sessionsOf(page.objectives) };
    },
  };
}
