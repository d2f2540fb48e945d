export type { BudgetDimension, BudgetLevel, BudgetLimits, BudgetSpent } from './budget.js';
export {
  addSpent,
  budgetDimensions,
  budgetLevel,
  budgetLevelSchema,
  budgetLimitsSchema,
  budgetUnit,
  clampLimits,
  crossing,
  describeBudget,
  exhaustedDimensions,
  isLimited,
  limitsWithin,
  noSpending,
  raiseLimit,
  remaining,
  spentOf,
  spentShare,
} from './budget.js';
export type {
  Artifact,
  DoctorCheck,
  DoctorReport,
  GuardCounters,
  Interactivity,
  NewTranscriptMessage,
  Note,
  Objective,
  PrFeedback,
  PullRequest,
  Question,
  QuestionKind,
  Session,
  SessionRole,
  Target,
  TargetHealth,
  TargetKind,
  TranscriptKind,
  TranscriptMessage,
  Usage,
  Workspace,
  WorkspaceKind,
} from './entities.js';
export {
  agentNameSchema,
  artifactSchema,
  branchSchema,
  doctorCheckSchema,
  doctorReportSchema,
  emptyGuardCounters,
  emptyUsage,
  feedbackKindSchema,
  guardCountersSchema,
  interactivitySchema,
  noteSchema,
  objectiveSchema,
  prFeedbackSchema,
  pullRequestSchema,
  questionKindSchema,
  questionSchema,
  repoSchema,
  sessionRoleSchema,
  sessionRoles,
  sessionSchema,
  targetHealthSchema,
  targetKindSchema,
  targetNameSchema,
  targetSchema,
  timeSchema,
  transcriptKindSchema,
  transcriptMessageSchema,
  usageSchema,
  workspaceKindSchema,
  workspaceSchema,
  workspaceStatusSchema,
} from './entities.js';
export type { ErrorCode } from './errors.js';
export { describeIssues, errorCodes, isOrchaError, OrchaError } from './errors.js';
export type { EventData, EventType, OrchaEvent } from './events.js';
export { eventDataSchema } from './events.js';
export type { FallbackChains } from './failover.js';
export { fallbackOrder, nextAgent } from './failover.js';
export type { GuardPolicy, GuardVerdict } from './guards.js';
export { defaultGuardPolicy, errorKey, evaluateGuards, recordError, recordTurn } from './guards.js';
export type { HandoffInput, HandoffWorkspace } from './handoff.js';
export {
  buildHandoff,
  clipMiddle,
  estimateTokens,
  handoffTokenLimit,
  isHandoffRecord,
} from './handoff.js';
export type { IdGenerator, IdKind, RandomDigit } from './ids.js';
export { createIdGenerator, idPrefixes, idSchema } from './ids.js';
export type { Placement, PlacementCandidate } from './placement.js';
export { chooseTarget } from './placement.js';
export type { PushDecision, PushRequest } from './push.js';
export { evaluatePush } from './push.js';
export type {
  DiskRoom,
  MemoryNeed,
  MemoryRoom,
  MemoryVerdict,
  QueuedSession,
  WaitingSession,
} from './scheduling.js';
export {
  defaultAgingMs,
  diskAdmits,
  formatGigabytes,
  memoryAdmits,
  schedulingClass,
  schedulingOrder,
  slotWaitReason,
} from './scheduling.js';
export type { SessionFact, SessionFactSubject, StatusChange, TurnContext } from './session-facts.js';
export { idleReasons, nextSessionStatus } from './session-facts.js';
export type { StateMachine } from './state-machine.js';
export { defineStateMachine } from './state-machine.js';
export type {
  ObjectiveStatus,
  PullRequestState,
  QuestionStatus,
  SessionStatus,
  TargetStatus,
} from './states.js';
export {
  activeSessionStatuses,
  objectiveMachine,
  objectiveStatuses,
  objectiveStatusSchema,
  pullRequestMachine,
  pullRequestStateSchema,
  pullRequestStates,
  questionMachine,
  questionStatuses,
  questionStatusSchema,
  sessionMachine,
  sessionStatuses,
  sessionStatusSchema,
  targetMachine,
  targetStatuses,
  targetStatusSchema,
} from './states.js';
