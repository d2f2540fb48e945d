import type {
  Artifact,
  DoctorReport,
  Note,
  Objective,
  PrFeedback,
  PullRequest,
  Question,
  Session,
  SessionStatus,
  Target,
  TranscriptMessage,
  Workspace,
} from '@orcha/model';

/**
 * The shapes the server answers with. Entities come from @orcha/model (type-only), and the overview's small
 * rows are picked from them; the rest mirrors the API routes (packages/api/src/routes).
 */

export interface ServerInfo {
  version: string;
  /** True when agents are the scripted fake: the dashboard shows a banner. */
  fakeAgents: boolean;
  agents: string[];
  forge: string;
}

/** A session as the overview shows it (the store's dashboard row): no prompt, no transcript. */
export type SessionRow = Pick<
  Session,
  | 'id'
  | 'objectiveId'
  | 'parentId'
  | 'role'
  | 'agent'
  | 'title'
  | 'status'
  | 'statusReason'
  | 'targetId'
  | 'pullRequestId'
  | 'interactivity'
  | 'attachCommand'
  | 'usage'
  | 'lastActivity'
  | 'messageCount'
  | 'createdAt'
  | 'updatedAt'
  | 'startedAt'
  | 'endedAt'
  | 'budget'
  | 'budgetLevel'
>;

/** An objective as the overview shows it: everything but the prompt. */
export type ObjectiveRow = Omit<Objective, 'prompt'>;

export type Counts = Record<SessionStatus, number> & {
  openQuestions: number;
  openPullRequests: number;
  targetsOnline: number;
};

export type TargetWithLoad = Target & { used: number };

export interface ProviderUsage {
  provider: string;
  exhaustedUntil: number | null;
  updatedAt: number;
}

export interface DashboardResponse {
  info: ServerInfo;
  summary: {
    counts: Counts;
    /** Every active objective and the most recently finished ones. */
    objectives: ObjectiveRow[];
    sessions: SessionRow[];
    /** Where older finished objectives start (`/api/dashboard/history?before=`); null when there are none. */
    historyNext: string | null;
  };
  targets: TargetWithLoad[];
  questions: Question[];
  pullRequests: PullRequest[];
  providers: ProviderUsage[];
  latestEventId: number;
}

/** A page of finished objectives with their sessions. */
export interface HistoryPage {
  objectives: ObjectiveRow[];
  sessions: SessionRow[];
  next: string | null;
}

export type Steering = 'live' | 'cancel_and_resume';

export interface SessionDetailResponse {
  session: Session;
  live: boolean;
  steering: Steering;
  workspace: Workspace | null;
  target: Target | null;
}

export interface MessagesPage {
  messages: TranscriptMessage[];
  next: number | null;
  total: number;
}

export type PullRequestWithFeedback = PullRequest & { feedback: PrFeedback[] };
export type ArtifactSummary = Omit<Artifact, 'content'>;

export interface ObjectiveDetailResponse {
  objective: Objective;
  sessions: Session[];
  pullRequests: PullRequest[];
  questions: Question[];
  notes: Note[];
  artifacts: ArtifactSummary[];
}

/** How a steering message reached its session. */
export type Delivery = 'live' | 'restart' | 'queued';

export interface TargetRegistration {
  target: Target;
  doctor: DoctorReport;
}

export interface ScreenResponse {
  screen: string;
  attachCommand: string | null;
}

export interface NewObjective {
  title: string;
  prompt: string;
  repo?: string;
  baseBranch?: string;
  agent?: string;
}

export interface NewTarget {
  name: string;
  kind: 'local' | 'ssh';
  host?: string;
  user?: string;
  port?: number;
  identity_file?: string;
  work_root: string;
  capacity_sessions?: number;
  bootstrap?: string;
}

/** One sink's delivery of one notification (`GET /api/notifications`). */
export interface NotificationDelivery {
  notificationId: number;
  sink: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
  updatedAt: number;
}

export interface NotificationEntry {
  id: number;
  key: string;
  eventId: number;
  at: number;
  kind: string;
  title: string;
  body: string;
  objectiveId: string | null;
  deliveries: NotificationDelivery[];
}

/** GET /api/config: each setting's effective value (secrets masked) and where it came from. */
export interface ConfigResponse {
  configFile: string | null;
  settings: Record<string, { value: unknown; source: 'flag' | 'environment' | 'file' | 'default' }>;
}
