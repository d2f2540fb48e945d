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
  Usage,
  Workspace,
} from '@orcha/model';

/**
 * The shapes the server answers with. Entities come from @orcha/model (type-only); the rest mirrors the
 * API routes (packages/api/src/routes) and the store's small dashboard rows.
 */

export interface ServerInfo {
  version: string;
  /** True when agents are the scripted fake: the dashboard shows a banner. */
  fakeAgents: boolean;
  agents: string[];
  forge: string;
}

/** A session as the overview shows it: no prompt, no transcript. */
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
  status: Objective['status'];
  agent: string;
  repo: string | null;
  baseBranch: string | null;
  summary: string | null;
  createdAt: number;
  updatedAt: number;
}

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
  summary: { counts: Counts; objectives: ObjectiveRow[]; sessions: SessionRow[] };
  targets: TargetWithLoad[];
  questions: Question[];
  pullRequests: PullRequest[];
  providers: ProviderUsage[];
  latestEventId: number;
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
