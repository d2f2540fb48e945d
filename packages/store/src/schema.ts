import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Normalized current state, plus two append-only tables: `events` (the audit log and change feed; its
 * increasing id is the SSE cursor) and `transcript_messages` (per session, ordered by seq). JSON columns are
 * text parsed through the model's zod schemas at the store edge.
 */
export const objectives = sqliteTable(
  'objectives',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    prompt: text('prompt').notNull(),
    repo: text('repo'),
    baseBranch: text('base_branch'),
    agent: text('agent').notNull(),
    status: text('status').notNull(),
    summary: text('summary'),
    budget: text('budget'),
    budgetLevel: integer('budget_level').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    index('objectives_status').on(table.status),
    /** Finished objectives, most recently finished first: the dashboard's history pages. */
    index('objectives_history').on(table.updatedAt, table.id).where(sql`status != 'active'`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    objectiveId: text('objective_id').notNull(),
    parentId: text('parent_id'),
    role: text('role').notNull(),
    agent: text('agent').notNull(),
    title: text('title').notNull(),
    prompt: text('prompt').notNull(),
    status: text('status').notNull(),
    statusReason: text('status_reason'),
    dependsOn: text('depends_on').notNull(),
    pinnedTarget: text('pinned_target'),
    targetId: text('target_id'),
    workspaceKind: text('workspace_kind').notNull(),
    workspaceId: text('workspace_id'),
    repo: text('repo'),
    baseBranch: text('base_branch'),
    pullRequestId: text('pull_request_id'),
    providerSessionId: text('provider_session_id'),
    interactivity: text('interactivity').notNull(),
    attachCommand: text('attach_command'),
    attachName: text('attach_name'),
    usage: text('usage').notNull(),
    counters: text('counters').notNull(),
    budget: text('budget'),
    budgetLevel: integer('budget_level').notNull().default(0),
    result: text('result'),
    lastActivity: text('last_activity'),
    messageCount: integer('message_count').notNull(),
    tokenHash: text('token_hash'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    startedAt: integer('started_at'),
    endedAt: integer('ended_at'),
  },
  (table) => [index('sessions_objective').on(table.objectiveId), index('sessions_status').on(table.status)],
);

/**
 * How many sessions are in each status, kept by triggers on `sessions` (migration 0004), so the dashboard's
 * counts cost one small read however long the history is.
 */
export const sessionStatusCounts = sqliteTable('session_status_counts', {
  status: text('status').primaryKey(),
  n: integer('n').notNull(),
});

export const targets = sqliteTable('targets', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  kind: text('kind').notNull(),
  host: text('host'),
  user: text('user'),
  port: integer('port'),
  identityFile: text('identity_file'),
  workRoot: text('work_root').notNull(),
  bootstrap: text('bootstrap'),
  capacitySessions: integer('capacity_sessions').notNull(),
  memoryFloorBytes: integer('memory_floor_bytes'),
  diskFloorBytes: integer('disk_floor_bytes'),
  status: text('status').notNull(),
  doctor: text('doctor'),
  /** The heartbeat's latest figures (JSON, migration 0012). */
  health: text('health'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** The highest resident memory a session of each agent was measured at (migration 0012): what it needs. */
export const agentMemory = sqliteTable('agent_memory', {
  agent: text('agent').primaryKey(),
  peakRssBytes: integer('peak_rss_bytes').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** One row per session holding a slot on a target; the count per target is its load. */
export const targetSlots = sqliteTable(
  'target_slots',
  {
    sessionId: text('session_id').primaryKey(),
    targetId: text('target_id').notNull(),
    claimedAt: integer('claimed_at').notNull(),
  },
  (table) => [index('target_slots_target').on(table.targetId)],
);

/** Row-unique locks: one writer per workspace, one updater per pull request branch. */
export const locks = sqliteTable(
  'locks',
  {
    key: text('key').primaryKey(),
    ownerSessionId: text('owner_session_id').notNull(),
    acquiredAt: integer('acquired_at').notNull(),
  },
  (table) => [index('locks_owner').on(table.ownerSessionId)],
);

/**
 * Messages for a session that has no live process to take them (queued, paused, restarting): delivered when
 * it next starts, and kept across a restart of orcha. The transcript holds them too, for people to read.
 */
export const pendingInput = sqliteTable(
  'pending_input',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id').notNull(),
    text: text('text').notNull(),
    at: integer('at').notNull(),
    /** 1 once handed to a run that has not yet answered it: taken back if that run stops first. */
    handed: integer('handed').notNull().default(0),
  },
  (table) => [index('pending_input_session').on(table.sessionId, table.id)],
);

/** Finished workers whose manager was told: a crash between the two tells it on the next start. */
export const managerReports = sqliteTable('manager_reports', {
  workerId: text('worker_id').primaryKey(),
  at: integer('at').notNull(),
});

export const workspaces = sqliteTable(
  'workspaces',
  {
    id: text('id').primaryKey(),
    objectiveId: text('objective_id').notNull(),
    sessionId: text('session_id'),
    targetId: text('target_id').notNull(),
    kind: text('kind').notNull(),
    path: text('path').notNull(),
    repo: text('repo'),
    branch: text('branch'),
    baseBranch: text('base_branch'),
    status: text('status').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [index('workspaces_objective').on(table.objectiveId)],
);

export const pullRequests = sqliteTable(
  'pull_requests',
  {
    id: text('id').primaryKey(),
    objectiveId: text('objective_id').notNull(),
    sessionId: text('session_id'),
    repo: text('repo').notNull(),
    number: integer('number').notNull(),
    url: text('url').notNull(),
    title: text('title').notNull(),
    branch: text('branch').notNull(),
    baseBranch: text('base_branch').notNull(),
    state: text('state').notNull(),
    headSha: text('head_sha').notNull(),
    checks: text('checks').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('pull_requests_repo_number').on(table.repo, table.number),
    index('pull_requests_objective').on(table.objectiveId),
    index('pull_requests_state').on(table.state),
  ],
);

export const prFeedback = sqliteTable(
  'pr_feedback',
  {
    id: text('id').primaryKey(),
    pullRequestId: text('pull_request_id').notNull(),
    externalId: text('external_id').notNull(),
    kind: text('kind').notNull(),
    author: text('author').notNull(),
    body: text('body').notNull(),
    followupSessionId: text('followup_session_id'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('pr_feedback_external').on(table.pullRequestId, table.externalId)],
);

export const questions = sqliteTable(
  'questions',
  {
    id: text('id').primaryKey(),
    objectiveId: text('objective_id').notNull(),
    sessionId: text('session_id'),
    kind: text('kind').notNull(),
    prompt: text('prompt').notNull(),
    options: text('options').notNull(),
    status: text('status').notNull(),
    answer: text('answer'),
    createdAt: integer('created_at').notNull(),
    answeredAt: integer('answered_at'),
  },
  (table) => [index('questions_status').on(table.status), index('questions_session').on(table.sessionId)],
);

export const notes = sqliteTable(
  'notes',
  {
    id: text('id').primaryKey(),
    objectiveId: text('objective_id').notNull(),
    sessionId: text('session_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('notes_objective').on(table.objectiveId)],
);

export const artifacts = sqliteTable(
  'artifacts',
  {
    id: text('id').primaryKey(),
    objectiveId: text('objective_id').notNull(),
    sessionId: text('session_id'),
    name: text('name').notNull(),
    mediaType: text('media_type').notNull(),
    content: text('content').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('artifacts_objective').on(table.objectiveId)],
);

export const providerUsage = sqliteTable('provider_usage', {
  provider: text('provider').primaryKey(),
  exhaustedUntil: integer('exhausted_until'),
  updatedAt: integer('updated_at').notNull(),
});

export const events = sqliteTable('events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: integer('at').notNull(),
  type: text('type').notNull(),
  objectiveId: text('objective_id'),
  sessionId: text('session_id'),
  data: text('data').notNull(),
});

/** Declared WITHOUT ROWID in the migration: the (session_id, seq) key is the table's own order. */
export const transcriptMessages = sqliteTable(
  'transcript_messages',
  {
    sessionId: text('session_id').notNull(),
    seq: integer('seq').notNull(),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    text: text('text').notNull(),
    data: text('data'),
  },
  (table) => [primaryKey({ columns: [table.sessionId, table.seq] })],
);

/**
 * The notification outbox: notifications derived from `events` past a durable cursor, and one delivery row
 * per notification and sink (attempts, status, last error) — what a restart resumes from.
 */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    eventId: integer('event_id').notNull(),
    at: integer('at').notNull(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    objectiveId: text('objective_id'),
  },
  (table) => [uniqueIndex('notifications_key').on(table.key)],
);

export const notificationDeliveries = sqliteTable(
  'notification_deliveries',
  {
    notificationId: integer('notification_id').notNull(),
    sink: text('sink').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.notificationId, table.sink] }),
    index('notification_deliveries_due').on(table.status, table.nextAttemptAt),
  ],
);

/** One row (id 1): the last event the outbox has looked at. */
export const notificationCursor = sqliteTable('notification_cursor', {
  id: integer('id').primaryKey(),
  eventId: integer('event_id').notNull(),
});

/** Every `orcha serve` on this database, by its heartbeat (docs/SCALING.md §2). */
export const replicas = sqliteTable('replicas', {
  id: text('id').primaryKey(),
  /** Where it serves the API (its URL). */
  address: text('address').notNull(),
  startedAt: integer('started_at').notNull(),
  heartbeatAt: integer('heartbeat_at').notNull(),
});

/**
 * Leases by name (`scheduler`: the leader). `token` grows by one with every new holder: the fencing token the
 * holder's writes are checked against, so a deposed holder writes nothing.
 */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  token: integer('token').notNull(),
  expiresAt: integer('expires_at').notNull(),
});
