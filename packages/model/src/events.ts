import { z } from 'zod';
import { budgetLevelSchema, budgetLimitsSchema } from './budget.js';
import { timeSchema, usageSchema } from './entities.js';
import { idSchema } from './ids.js';
import {
  objectiveStatusSchema,
  pullRequestStateSchema,
  questionStatusSchema,
  sessionStatusSchema,
  targetStatusSchema,
} from './states.js';

/**
 * The one event vocabulary, from store to SSE to browser. Names are noun-verb; data stays small and never
 * holds transcript content (a `message-append` says how many messages arrived, not what they say).
 */
const ids = {
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session'),
};

export const eventDataSchema = z.discriminatedUnion('type', [
  /** An objective's or a session's budget or the threshold it reached changed (`sessionId` null: the objective's). */
  z.object({
    type: z.literal('budget-change'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    budget: budgetLimitsSchema.nullable(),
    from: budgetLevelSchema,
    level: budgetLevelSchema,
  }),
  z.object({ type: z.literal('objective-create'), objectiveId: ids.objectiveId, title: z.string() }),
  z.object({
    type: z.literal('objective-status-change'),
    objectiveId: ids.objectiveId,
    from: objectiveStatusSchema,
    to: objectiveStatusSchema,
  }),
  z.object({
    type: z.literal('session-create'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId,
    role: z.enum(['manager', 'worker']),
    agent: z.string(),
  }),
  z.object({
    type: z.literal('session-status-change'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId,
    from: sessionStatusSchema,
    to: sessionStatusSchema,
    reason: z.string().nullable(),
  }),
  z.object({
    type: z.literal('session-update'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId,
    fields: z.array(z.string()),
    usage: usageSchema.optional(),
  }),
  z.object({
    // The session continues on another agent (usage exhausted, rate limits, or the person's choice).
    type: z.literal('session-agent-switch'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId,
    from: z.string(),
    to: z.string(),
    reason: z.string(),
  }),
  z.object({
    type: z.literal('message-append'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId,
    fromSeq: z.number().int().positive(),
    toSeq: z.number().int().positive(),
  }),
  z.object({
    type: z.literal('question-open'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    questionId: idSchema('question'),
    kind: z.string(),
  }),
  z.object({
    type: z.literal('question-status-change'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    questionId: idSchema('question'),
    to: questionStatusSchema,
  }),
  z.object({
    type: z.literal('pr-open'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    pullRequestId: idSchema('pullRequest'),
    number: z.number().int(),
  }),
  z.object({
    type: z.literal('pr-update'),
    objectiveId: ids.objectiveId,
    pullRequestId: idSchema('pullRequest'),
    state: pullRequestStateSchema,
    headSha: z.string(),
  }),
  z.object({
    type: z.literal('feedback-receive'),
    objectiveId: ids.objectiveId,
    pullRequestId: idSchema('pullRequest'),
    feedbackId: idSchema('feedback'),
    kind: z.string(),
  }),
  z.object({
    type: z.literal('note-create'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    noteId: idSchema('note'),
  }),
  z.object({
    type: z.literal('artifact-create'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    artifactId: idSchema('artifact'),
  }),
  z.object({ type: z.literal('target-create'), targetId: idSchema('target'), name: z.string() }),
  z.object({
    type: z.literal('target-status-change'),
    targetId: idSchema('target'),
    from: targetStatusSchema,
    to: targetStatusSchema,
    /** Why, when the change was not a person's action (e.g. the heartbeat: "missed 3 probes: …"). */
    reason: z.string().optional(),
  }),
  z.object({ type: z.literal('target-doctor'), targetId: idSchema('target'), ok: z.boolean() }),
  z.object({
    type: z.literal('workspace-update'),
    objectiveId: ids.objectiveId,
    workspaceId: idSchema('workspace'),
    status: z.string(),
  }),
  z.object({
    // orcha committed what an agent left uncommitted in its workspace (`files` changed files at `sha`).
    type: z.literal('workspace-commit'),
    objectiveId: ids.objectiveId,
    sessionId: ids.sessionId.nullable(),
    workspaceId: idSchema('workspace'),
    sha: z.string(),
    files: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('provider-usage-change'),
    provider: z.string(),
    exhaustedUntil: timeSchema.nullable(),
  }),
]);
export type EventData = z.infer<typeof eventDataSchema>;
export type EventType = EventData['type'];

/** A stored event: its increasing id is the change feed's cursor (SSE `Last-Event-ID`). */
export type OrchaEvent = EventData & { id: number; at: number };
