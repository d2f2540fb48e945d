import { type SessionStatus, sessionStatuses, type Usage, usageSchema } from '@orcha/model';
import { parseColumn, type StoreContext } from './database.js';

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

/**
 * The overview in a handful of indexed queries that never touch transcript content: counts, the active and
 * recent objectives, and small rows of their sessions.
 */
export function dashboardQueries(ctx: StoreContext) {
  const statusCounts = ctx.sqlite.prepare('SELECT status, COUNT(*) AS n FROM sessions GROUP BY status');
  const other = ctx.sqlite.prepare(
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
  const sessionRows = ctx.sqlite.prepare(
    `SELECT s.id, s.objective_id AS objectiveId, s.parent_id AS parentId, s.role, s.agent, s.title, s.status,
            s.status_reason AS statusReason, s.target_id AS targetId, s.pull_request_id AS pullRequestId,
            s.interactivity, s.attach_command AS attachCommand, s.usage, s.last_activity AS lastActivity,
            s.message_count AS messageCount, s.created_at AS createdAt, s.updated_at AS updatedAt,
            s.started_at AS startedAt, s.ended_at AS endedAt
       FROM sessions s
      WHERE s.objective_id IN (SELECT id FROM objectives WHERE status = 'active'
                               UNION SELECT id FROM (SELECT id FROM objectives WHERE status != 'active' ORDER BY updated_at DESC LIMIT 50))
      ORDER BY s.created_at DESC LIMIT ${maxSessions}`,
  );
  return {
    dashboardSummary(): DashboardSummary {
      const counts = Object.fromEntries(sessionStatuses.map((status) => [status, 0])) as Record<
        SessionStatus,
        number
      >;
      for (const row of statusCounts.all() as { status: SessionStatus; n: number }[])
        counts[row.status] = row.n;
      const rest = other.get() as { openQuestions: number; openPullRequests: number; targetsOnline: number };
      const sessions = (sessionRows.all() as (Omit<SessionRow, 'usage'> & { usage: string })[]).map(
        (row) => ({
          ...row,
          usage: parseColumn(usageSchema, row.usage, 'usage'),
        }),
      );
      return {
        counts: { ...counts, ...rest },
        objectives: objectiveRows.all() as ObjectiveRow[],
        sessions: sessions.reverse(),
      };
    },
  };
}
