import { type SessionStatus, sessionStatuses, type Usage } from '@orcha/model';
import type { StoreContext } from './database.js';

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
}

export interface ObjectiveRow {
  id: string;
  title: string;
  status: string;
  agent: string;
  repo: string | null;
  baseBranch: string | null;
  summary: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface DashboardSummary {
  counts: Record<SessionStatus, number> & {
    openQuestions: number;
    openPullRequests: number;
    targetsOnline: number;
  };
  objectives: ObjectiveRow[];
  sessions: SessionRow[];
}

const maxSessions = 2_000;

/** The objectives the overview shows: every active one and the 50 most recently updated others. */
const shownObjectives = `SELECT id FROM objectives WHERE status = 'active'
  UNION SELECT id FROM (SELECT id FROM objectives WHERE status != 'active' ORDER BY updated_at DESC LIMIT 50)`;

/**
 * One session row as SQLite encodes it for the overview: a JSON array in `SessionRow` field order, with
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
  };
}

const byCreation = (a: SessionRow, b: SessionRow) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The overview in a handful of prepared, indexed queries that never touch transcript content: counts, the
 * active and recent objectives, and small rows of their sessions (the newest 2,000, oldest first).
 *
 * The session rows skip zod on purpose: every column was written by the store from validated input (`usage`
 * through `usageSchema` in `updateSession`), and the dashboard reads them on every page load and reconnect.
 */
export function dashboardQueries(ctx: StoreContext) {
  const statusCounts = ctx.sqlite.prepare('SELECT status, COUNT(*) AS n FROM sessions GROUP BY status');
  const otherCounts = ctx.sqlite.prepare(
    `SELECT (SELECT COUNT(*) FROM questions WHERE status = 'open') AS openQuestions,
            (SELECT COUNT(*) FROM pull_requests WHERE state = 'open') AS openPullRequests,
            (SELECT COUNT(*) FROM targets WHERE status = 'online') AS targetsOnline`,
  );
  const objectiveRows = ctx.sqlite.prepare(
    `SELECT id, title, status, agent, repo, base_branch AS baseBranch, summary, created_at AS createdAt, updated_at AS updatedAt
       FROM objectives WHERE status = 'active'
     UNION ALL
     SELECT * FROM (SELECT id, title, status, agent, repo, base_branch, summary, created_at, updated_at
       FROM objectives WHERE status != 'active' ORDER BY updated_at DESC LIMIT 50)`,
  );
  // The newest sessions are picked by sorting narrow keys only, then their rows are read by rowid: sorting
  // whole rows in SQLite's temp b-tree cost more than everything else here together.
  const sessionRows = ctx.sqlite
    .prepare(
      `SELECT json_array(id, objective_id, parent_id, role, agent, title, status, status_reason, target_id,
                         pull_request_id, interactivity, attach_command, json(usage), last_activity, message_count,
                         created_at, updated_at, started_at, ended_at)
         FROM sessions
        WHERE rowid IN (SELECT rowid FROM sessions WHERE objective_id IN (${shownObjectives})
                         ORDER BY created_at DESC, id DESC LIMIT ${maxSessions})`,
    )
    .pluck();
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
      // SQLite's own JSON encoding of the store's columns: trusted, so parsed without a schema.
      const sessions = (sessionRows.all() as string[])
        .map((text) => toSessionRow(JSON.parse(text) as SessionTuple))
        .sort(byCreation);
      return {
        counts: { ...counts, ...rest },
        objectives: objectiveRows.all() as ObjectiveRow[],
        sessions,
      };
    },
  };
}
