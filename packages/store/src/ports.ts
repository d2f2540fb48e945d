import type {
  Artifact,
  BudgetLevel,
  BudgetLimits,
  DoctorReport,
  NewTranscriptMessage,
  Note,
  Objective,
  ObjectiveStatus,
  OrchaEvent,
  PrFeedback,
  PullRequest,
  Question,
  QuestionStatus,
  Session,
  SessionRole,
  SessionStatus,
  Target,
  TargetHealth,
  TargetStatus,
  TranscriptMessage,
  WaitingSession,
  Workspace,
} from '@orcha/model';
import type { AgentSwitch } from './agent-switch.js';
import type { DashboardSummary, HistoryPage, HistoryQuery } from './dashboard.js';
import type { ProviderUsage } from './feed.js';
import type { LockResult } from './locks.js';
import type { Notification, NotificationDelivery, NotificationDraft } from './notifications.js';
import type { NewObjective } from './objectives.js';
import type { NewArtifact, NewNote } from './outputs.js';
import type { NewFeedback, NewPullRequest, PullRequestPatch } from './pull-requests.js';
import type { NewQuestion } from './questions.js';
import type { Leadership, Replica } from './replicas.js';
import type { NewSession, SessionPatch } from './sessions.js';
import type { ClaimResult, NewTarget } from './targets.js';
import type { NewWorkspace, WorkspacePatch } from './workspaces.js';

type Filter = { objectiveId?: string | undefined; sessionId?: string | undefined };

/**
 * Reading orcha's state: queries and the change feed, never a write. `get…` throws `not_found` for an
 * unknown id; `list…` answers in creation order unless it says otherwise. What the API and the dashboard use.
 */
export interface StoreReads {
  getObjective(id: string): Objective;
  /** Every objective, newest first. */
  listObjectives(): Objective[];
  getSession(id: string): Session;
  listSessions(filter?: {
    objectiveId?: string | undefined;
    statuses?: readonly SessionStatus[] | undefined;
    role?: SessionRole;
    ids?: readonly string[];
  }): Session[];
  /** The sessions waiting for a slot (queued, waiting_capacity), light: what the scheduler reads per pass. */
  listWaiting(): WaitingSession[];
  getSessionTokenHash(id: string): string | null;
  /** A page of a session's messages after `after` (by seq), at most 1,000. */
  listMessages(
    sessionId: string,
    options?: { after?: number | undefined; limit?: number | undefined },
  ): TranscriptMessage[];
  /** By id or name. */
  getTarget(idOrName: string): Target;
  findTarget(idOrName: string): Target | null;
  listTargets(): Target[];
  /** Slots held per target id. */
  targetLoad(): Record<string, number>;
  /** The learned memory need of each agent (its sessions' highest measured resident memory), by agent. */
  agentMemoryPeaks(): Record<string, number>;
  lockHolder(key: string): string | null;
  /** Messages waiting for the session's next start (not those handed to its live run). */
  pendingInputCount(sessionId: string): number;
  /** Sessions with messages handed to a run and not yet answered. */
  sessionsWithHandedInput(): string[];
  /** Everything in a session's inbox, oldest first: waiting, or handed to its live run. */
  listInput(sessionId: string): { text: string; handed: boolean }[];
  /** Finished workers whose manager was never told (a crash came between), oldest first. */
  finishedWorkersUntold(): Session[];
  getWorkspace(id: string): Workspace;
  listWorkspaces(filter?: { objectiveId?: string; targetId?: string }): Workspace[];
  getPullRequest(id: string): PullRequest;
  listPullRequests(filter?: {
    objectiveId?: string | undefined;
    state?: PullRequest['state'];
  }): PullRequest[];
  listFeedback(pullRequestId: string): PrFeedback[];
  getQuestion(id: string): Question;
  listQuestions(filter?: {
    status?: QuestionStatus | undefined;
    objectiveId?: string | undefined;
    sessionId?: string | undefined;
  }): Question[];
  listNotes(filter?: Filter): Note[];
  getArtifact(id: string): Artifact;
  listArtifacts(filter?: Filter): Artifact[];
  /** Stored events after `after`, oldest first, at most `limit`. */
  listEvents(options?: { after?: number | undefined; limit?: number | undefined }): OrchaEvent[];
  latestEventId(): number;
  listProviderUsage(): ProviderUsage[];
  /** Counts, the active objectives and the newest finished ones: its cost follows what is active. */
  dashboardSummary(): DashboardSummary;
  /** Finished objectives older than `before`, most recently finished first. */
  objectiveHistory(query?: HistoryQuery): HistoryPage;
  /** The newest notifications first (before the id `before`), each with its delivery log per sink. */
  listNotifications(options?: {
    before?: number | undefined;
    limit?: number | undefined;
  }): (Notification & { deliveries: NotificationDelivery[] })[];
  /** Pending deliveries to these sinks due at `now`, oldest first. */
  dueDeliveries(
    now: number,
    sinks: readonly string[],
    limit?: number,
  ): { notification: Notification; delivery: NotificationDelivery }[];
  /** When the earliest pending delivery to these sinks is due; null when none is pending. */
  nextDeliveryAt(sinks: readonly string[]): number | null;
  /** Every `orcha serve` heard from lately on this database, oldest first, with which one leads. */
  listReplicas(): Replica[];
  /** Hears every committed batch of events, in commit order; returns the unsubscribe function. */
  subscribe(listener: (events: OrchaEvent[]) => void): () => void;
}

/**
 * Changing orcha's state. Every member validates its input (`invalid_argument`, nothing written), writes the
 * change and its event in one transaction, and announces the event to subscribers after the commit.
 */
export interface StoreWrites {
  /** The objective and its manager session, in one transaction. */
  createObjective(input: NewObjective): { objective: Objective; manager: Session };
  updateObjectiveStatus(id: string, to: ObjectiveStatus, summary?: string | null): Objective;
  /** An objective's (or one of its sessions') budget and the threshold reached; emits `budget-change`. */
  setBudget(
    scope: { objectiveId: string; sessionId?: string | null },
    patch: { budget?: BudgetLimits | null; level?: BudgetLevel },
  ): void;
  createSession(input: NewSession): Session;
  /**
   * Validates the transition inside the transaction (`invalid_transition`, nothing written). Leaving the
   * running states releases the target slot; a terminal status also releases the session's locks and
   * empties its inbox.
   */
  updateSessionStatus(
    id: string,
    to: SessionStatus,
    options?: { reason?: string | null; expectedFrom?: SessionStatus },
  ): Session;
  updateSession(id: string, patch: SessionPatch): Session;
  /** Several session updates in one transaction. */
  updateSessions(updates: readonly { id: string; patch: SessionPatch }[]): void;
  /**
   * Moves a session to another agent in one transaction: agent, conversation id cleared, a system message in
   * its transcript, a `session-agent-switch` event. Refuses a finished session and a switch to its own agent.
   */
  switchSessionAgent(id: string, input: AgentSwitch): Session;
  setSessionTokenHash(id: string, hash: string): void;
  /** One transaction per batch; bumps the session's message count and last activity. */
  appendMessages(sessionId: string, messages: NewTranscriptMessage[]): { fromSeq: number; toSeq: number };
  createTarget(input: NewTarget): Target;
  ensureLocalTarget(options: { workRoot: string; capacity: number; name?: string }): Target;
  /** `reason` travels with the status-change event (the feed and notifications show it). */
  updateTargetStatus(id: string, to: TargetStatus, reason?: string): Target;
  setTargetDoctor(id: string, report: DoctorReport): Target;
  /** Keeps the higher of the stored and the measured peak resident memory of an agent's session. */
  recordAgentPeak(agent: string, bytes: number): void;
  /** Records the heartbeat's latest figures; no event (it changes every few seconds). */
  setTargetHealth(id: string, health: TargetHealth): Target;
  /** Atomic: never more sessions on a target than its capacity, across processes. */
  claimTargetSlot(targetId: string, sessionId: string): ClaimResult;
  releaseTargetSlot(sessionId: string): void;
  acquireLock(key: string, ownerSessionId: string): LockResult;
  releaseLock(key: string, ownerSessionId: string): boolean;
  queueInput(sessionId: string, text: string): void;
  /**
   * Hands the waiting messages to a run, oldest first. They stay kept, marked handed, until `ackInput` (the
   * run answered them) or `requeueInput` (the run stopped first, or orcha crashed: they wait again).
   */
  takeInput(sessionId: string): string[];
  ackInput(sessionId: string): void;
  /** Gives handed messages back to the inbox, of one session or (at start-up) of all; answers how many. */
  requeueInput(sessionId?: string): number;
  dropInput(sessionId: string): void;
  /** Records that a finished worker's manager was told. */
  recordManagerTold(workerId: string): void;
  createWorkspace(input: NewWorkspace): Workspace;
  updateWorkspace(id: string, patch: WorkspacePatch): Workspace;
  /** Announces a commit orcha made in the workspace (what the agent left uncommitted); writes an event only. */
  recordWorkspaceCommit(id: string, commit: { sha: string; files: number }): void;
  createPullRequest(input: NewPullRequest): PullRequest;
  updatePullRequest(id: string, patch: PullRequestPatch): PullRequest;
  /** Records a feedback item once: the same external id again answers `inserted: false`. */
  addFeedback(pullRequestId: string, item: NewFeedback): { feedback: PrFeedback; inserted: boolean };
  setFeedbackFollowup(feedbackId: string, sessionId: string): void;
  openQuestion(input: NewQuestion): Question;
  /** Once: a second answer throws `invalid_transition`. */
  /**
   * Answers an open question. With `message`, the message that carries the answer to whoever waits on it is
   * written to that session's transcript and inbox in the same transaction.
   */
  answerQuestion(id: string, answer: string, message?: { sessionId: string; text: string }): Question;
  withdrawQuestion(id: string): Question;
  createNote(input: NewNote): Note;
  createArtifact(input: NewArtifact): Artifact;
  setProviderExhausted(provider: string, until: number | null): void;
  /**
   * The notification outbox: turns up to `batch` events past its durable cursor into notifications (and a
   * pending delivery per sink) with `derive`, moving the cursor in the same transaction; answers how many
   * events it read.
   */
  deriveNotifications(
    derive: (event: OrchaEvent) => NotificationDraft | null,
    sinks: readonly string[],
    batch?: number,
  ): number;
  /** One delivery attempt: delivered, to retry at `retryAt`, or given up (`retryAt` null). */
  recordDeliveryAttempt(
    notificationId: number,
    sink: string,
    outcome: { ok: true } | { ok: false; error: string; retryAt: number | null },
  ): NotificationDelivery;
  /**
   * Runs several writes in one transaction (all or none); their events are announced together after it
   * commits. `work` must be synchronous: no long operation inside (it holds the database).
   */
  batch<T>(work: () => T): T;
  /**
   * Records a replica's heartbeat and renews its leader lease, or takes the lease once it expired (a new
   * fencing token). One transaction; a deposed leader's heartbeat fails with `conflict` (its writes are fenced).
   */
  heartbeatReplica(input: { id: string; address: string; leaseMs: number }): Leadership;
  /** A replica leaving on purpose: its row goes and its lease, if it leads, ends now. */
  leaveReplicas(id: string): void;
  /**
   * From now on every write of this store checks, inside its transaction, that the leader lease still carries
   * `token` (renewing it for `leaseMs`: a leader busy writing stays the leader), and fails with `conflict` once
   * another replica took it (null: no check, the default).
   */
  fenceWrites(fence: { token: number; leaseMs: number } | null): void;
}

/** The whole store: what the orchestrator composes; readers get `StoreReads` only. */
export interface Store extends StoreReads, StoreWrites {
  close(): void;
}
