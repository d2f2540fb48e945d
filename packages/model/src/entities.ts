import { z } from 'zod';
import { budgetLevelSchema, budgetLimitsSchema } from './budget.js';
import { idSchema } from './ids.js';
import {
  objectiveStatusSchema,
  pullRequestStateSchema,
  questionStatusSchema,
  sessionStatusSchema,
  targetStatusSchema,
} from './states.js';

/** Milliseconds since the epoch; every time in the model is one, passed in by the caller's clock. */
export const timeSchema = z.number().int().nonnegative();

/** Agent names are open-ended (fake, claude, codex, tmux, custom ones) but shaped like identifiers. */
export const agentNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'an agent name is lowercase letters, digits, - or _ (e.g. claude)');

/** A repository: an http(s)/ssh/file URL or an owner/name slug; never a shell fragment. */
export const repoSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(
    /^(?:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+|(?:https?|ssh|file):\/\/[^\s'"`$;|&<>\\]+|[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^\s'"`$;|&<>\\]+)$/,
    'a repository URL or owner/name',
  );

/**
 * A git branch name following git check-ref-format's rules for the characters we accept. The pattern is
 * portable (no lookaround: RE2-based validators compile it); the rules a character class cannot say are
 * checked by the refinement.
 */
export const branchSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._/-]+$/, 'a valid git branch name')
  .refine(
    (name) =>
      !name.startsWith('-') &&
      !name.includes('..') &&
      !name.includes('//') &&
      !name.endsWith('.lock') &&
      !name.endsWith('/') &&
      !name.endsWith('.'),
    'a valid git branch name',
  );

export const objectiveSchema = z.object({
  id: idSchema('objective'),
  title: z.string().min(1).max(200),
  prompt: z.string().max(100_000),
  repo: repoSchema.nullable(),
  baseBranch: branchSchema.nullable(),
  agent: agentNameSchema,
  status: objectiveStatusSchema,
  summary: z.string().nullable(),
  /** What the objective may spend across all its sessions; null: no limit. */
  budget: budgetLimitsSchema.nullable(),
  /** The highest threshold of the budget reached so far (0, 80 or 100 %). */
  budgetLevel: budgetLevelSchema,
  createdAt: timeSchema,
  updatedAt: timeSchema,
});
export type Objective = z.infer<typeof objectiveSchema>;

export const sessionRoles = ['manager', 'worker'] as const;
export const sessionRoleSchema = z.enum(sessionRoles);
export type SessionRole = z.infer<typeof sessionRoleSchema>;

export const interactivitySchema = z.enum(['interactive', 'noninteractive']);
export type Interactivity = z.infer<typeof interactivitySchema>;

export const workspaceKindSchema = z.enum(['isolated', 'scratch', 'pr_branch']);
export type WorkspaceKind = z.infer<typeof workspaceKindSchema>;

/** Token and cost totals as last reported by the provider (providers report cumulative figures). */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  modelCalls: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;
export const emptyUsage: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 0 };

/** Counters the loop guards read; see `guards.ts`. */
export const guardCountersSchema = z.object({
  lastErrorKey: z.string().nullable(),
  sameErrorCount: z.number().int().nonnegative(),
  noProgressTurns: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  /** Model calls already approved by the person: the cap counts from here after a guard is answered. */
  modelCallBase: z.number().int().nonnegative().default(0),
});
export type GuardCounters = z.infer<typeof guardCountersSchema>;
export const emptyGuardCounters: GuardCounters = {
  lastErrorKey: null,
  sameErrorCount: 0,
  noProgressTurns: 0,
  turns: 0,
  modelCallBase: 0,
};

export const sessionSchema = z.object({
  id: idSchema('session'),
  objectiveId: idSchema('objective'),
  parentId: idSchema('session').nullable(),
  role: sessionRoleSchema,
  agent: agentNameSchema,
  title: z.string().max(200),
  prompt: z.string().max(100_000),
  status: sessionStatusSchema,
  /** Why the session is in its status: what it waits for, why it paused or failed. */
  statusReason: z.string().nullable(),
  dependsOn: z.array(idSchema('session')),
  pinnedTarget: z.string().nullable(),
  targetId: idSchema('target').nullable(),
  workspaceKind: workspaceKindSchema,
  workspaceId: idSchema('workspace').nullable(),
  repo: repoSchema.nullable(),
  baseBranch: branchSchema.nullable(),
  /** The pull request a follow-up session works on (workspace kind `pr_branch`). */
  pullRequestId: idSchema('pullRequest').nullable(),
  providerSessionId: z.string().nullable(),
  interactivity: interactivitySchema,
  attachCommand: z.string().nullable(),
  /** The terminal session (tmux) its live run can be re-attached by after a restart; null for headless runs. */
  attachName: z.string().nullable(),
  usage: usageSchema,
  counters: guardCountersSchema,
  /** What this session may spend (within its objective's budget); null: only the objective's applies. */
  budget: budgetLimitsSchema.nullable(),
  budgetLevel: budgetLevelSchema,
  result: z.string().nullable(),
  lastActivity: z.string().nullable(),
  messageCount: z.number().int().nonnegative(),
  createdAt: timeSchema,
  updatedAt: timeSchema,
  startedAt: timeSchema.nullable(),
  endedAt: timeSchema.nullable(),
});
export type Session = z.infer<typeof sessionSchema>;

export const doctorCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  required: z.boolean(),
  detail: z.string(),
  fix: z.string().nullable(),
});
export type DoctorCheck = z.infer<typeof doctorCheckSchema>;
export const doctorReportSchema = z.object({
  at: timeSchema,
  ok: z.boolean(),
  checks: z.array(doctorCheckSchema),
  /** SSH targets: the PATH of the user's login shell, which agents there are given (see the doctor). */
  loginPath: z.string().nullable().optional(),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

/**
 * What the heartbeat last learned of a target (see core's target-health): the figures of its latest answered
 * probe, how many probes in a row went unanswered, and — while the heartbeat holds it offline — why.
 */
export const targetHealthSchema = z.object({
  /** When the latest probe ended (answered or not). */
  at: timeSchema,
  /** When a probe last answered; null before the first. */
  answeredAt: timeSchema.nullable(),
  /** The kernel's boot id: a new one means the machine rebooted and every process there is gone. */
  bootId: z.string().nullable(),
  memAvailableBytes: z.number().nonnegative().nullable(),
  /** The 1-minute load average. */
  load1: z.number().nonnegative().nullable(),
  /** Free space on the work root's volume. */
  diskFreeBytes: z.number().nonnegative().nullable(),
  /** Whether orcha's tmux server answers there (null when orcha has no tmux socket to ask about). */
  tmuxAlive: z.boolean().nullable(),
  /** Probes missed in a row. */
  missed: z.number().int().nonnegative(),
  /** Resident memory of each session's processes there (those carrying its ORCHA_SESSION_ID), by session id. */
  sessionRss: z.record(z.string(), z.number().nonnegative()).default({}),
  /** Set while the heartbeat holds the target offline: the reason, and it comes back by itself. */
  offlineReason: z.string().nullable(),
});
export type TargetHealth = z.infer<typeof targetHealthSchema>;

export const targetKindSchema = z.enum(['local', 'ssh']);
export type TargetKind = z.infer<typeof targetKindSchema>;

export const targetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a target name is letters, digits, ., - or _');

export const targetSchema = z.object({
  id: idSchema('target'),
  name: targetNameSchema,
  kind: targetKindSchema,
  host: z.string().nullable(),
  user: z.string().nullable(),
  port: z.number().int().min(1).max(65_535).nullable(),
  identityFile: z.string().nullable(),
  workRoot: z.string().min(1),
  bootstrap: z.string().nullable(),
  capacitySessions: z.number().int().min(1).max(1000),
  /** Memory kept free on the machine: sessions are placed only while MemAvailable stays above it. */
  memoryFloorBytes: z.number().int().nonnegative().nullable(),
  /** Free space kept on the work root's volume: below it, no new workspace is made there. */
  diskFloorBytes: z.number().int().nonnegative().nullable(),
  status: targetStatusSchema,
  doctor: doctorReportSchema.nullable(),
  health: targetHealthSchema.nullable(),
  createdAt: timeSchema,
  updatedAt: timeSchema,
});
export type Target = z.infer<typeof targetSchema>;

export const workspaceStatusSchema = z.enum(['preparing', 'ready', 'failed', 'removed']);
export const workspaceSchema = z.object({
  id: idSchema('workspace'),
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullable(),
  targetId: idSchema('target'),
  kind: workspaceKindSchema,
  path: z.string(),
  repo: repoSchema.nullable(),
  branch: branchSchema.nullable(),
  baseBranch: branchSchema.nullable(),
  status: workspaceStatusSchema,
  createdAt: timeSchema,
  updatedAt: timeSchema,
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const pullRequestSchema = z.object({
  id: idSchema('pullRequest'),
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullable(),
  repo: z.string(),
  number: z.number().int().positive(),
  url: z.string(),
  title: z.string(),
  branch: branchSchema,
  baseBranch: branchSchema,
  state: pullRequestStateSchema,
  headSha: z.string(),
  checks: z.enum(['pending', 'passing', 'failing', 'none']),
  createdAt: timeSchema,
  updatedAt: timeSchema,
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

export const feedbackKindSchema = z.enum(['review', 'review_comment', 'comment', 'check_failure']);
export const prFeedbackSchema = z.object({
  id: idSchema('feedback'),
  pullRequestId: idSchema('pullRequest'),
  /** The forge's own id for the item, unique per pull request, so polling never dispatches twice. */
  externalId: z.string(),
  kind: feedbackKindSchema,
  author: z.string(),
  body: z.string(),
  followupSessionId: idSchema('session').nullable(),
  createdAt: timeSchema,
});
export type PrFeedback = z.infer<typeof prFeedbackSchema>;

export const questionKindSchema = z.enum([
  'ask_user',
  'loop_guard',
  'usage_exhausted',
  'pr_closed',
  'budget',
  'permission',
  'manager_lost',
]);
export type QuestionKind = z.infer<typeof questionKindSchema>;
export const questionSchema = z.object({
  id: idSchema('question'),
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullable(),
  kind: questionKindSchema,
  prompt: z.string().min(1).max(20_000),
  /** Suggested answers the dashboard offers as buttons. */
  options: z.array(z.string().max(200)).max(10),
  status: questionStatusSchema,
  answer: z.string().nullable(),
  createdAt: timeSchema,
  answeredAt: timeSchema.nullable(),
});
export type Question = z.infer<typeof questionSchema>;

export const noteSchema = z.object({
  id: idSchema('note'),
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullable(),
  title: z.string().min(1).max(200),
  body: z.string().max(200_000),
  createdAt: timeSchema,
});
export type Note = z.infer<typeof noteSchema>;

export const artifactSchema = z.object({
  id: idSchema('artifact'),
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullable(),
  name: z.string().min(1).max(200),
  mediaType: z.string().min(1).max(100),
  content: z.string().max(5_000_000),
  createdAt: timeSchema,
});
export type Artifact = z.infer<typeof artifactSchema>;

export const transcriptKindSchema = z.enum([
  'user',
  'assistant',
  'tool_call',
  'tool_result',
  'system',
  'error',
  'output',
]);
export type TranscriptKind = z.infer<typeof transcriptKindSchema>;
export const transcriptMessageSchema = z.object({
  sessionId: idSchema('session'),
  seq: z.number().int().positive(),
  at: timeSchema,
  kind: transcriptKindSchema,
  text: z.string(),
  /** Structured detail (tool input, error kind); parsed through zod at the store edge. */
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type TranscriptMessage = z.infer<typeof transcriptMessageSchema>;
/** What a caller hands the store to append: the store assigns `seq`. */
export type NewTranscriptMessage = Omit<TranscriptMessage, 'sessionId' | 'seq'>;
