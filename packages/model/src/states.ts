import { z } from 'zod';
import { defineStateMachine } from './state-machine.js';

/**
 * Session lifecycle. `waiting_capacity` means no target slot was free; `paused` is a guard trip, an
 * exhausted provider or a person's decision; `waiting_input` is an agent idle between turns, waiting for its
 * workers, a message or an answer. Only `starting` and `running` hold a slot and a process: an idle session
 * gives both back and asks for a slot again (`queued`) when input arrives. Terminal statuses (completed,
 * failed, canceled) have no way out: late results of canceled work are refused.
 */
export const sessionStatuses = [
  'queued',
  'waiting_capacity',
  'starting',
  'running',
  'waiting_input',
  'paused',
  'completed',
  'failed',
  'canceled',
] as const;
export const sessionStatusSchema = z.enum(sessionStatuses);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

export const sessionMachine = defineStateMachine<SessionStatus>('session', {
  queued: ['waiting_capacity', 'starting', 'paused', 'failed', 'canceled'],
  waiting_capacity: ['queued', 'starting', 'paused', 'failed', 'canceled'],
  starting: ['running', 'waiting_input', 'queued', 'paused', 'completed', 'failed', 'canceled'],
  running: ['waiting_input', 'paused', 'queued', 'completed', 'failed', 'canceled'],
  waiting_input: ['paused', 'queued', 'completed', 'failed', 'canceled'],
  paused: ['queued', 'failed', 'canceled'],
  completed: [],
  failed: [],
  canceled: [],
});

/** Sessions that hold a target slot and a process (or are about to). Every other status holds neither. */
export const activeSessionStatuses: readonly SessionStatus[] = ['starting', 'running'];

export const objectiveStatuses = ['active', 'done', 'failed', 'canceled'] as const;
export const objectiveStatusSchema = z.enum(objectiveStatuses);
export type ObjectiveStatus = z.infer<typeof objectiveStatusSchema>;
export const objectiveMachine = defineStateMachine<ObjectiveStatus>('objective', {
  active: ['done', 'failed', 'canceled'],
  done: [],
  failed: [],
  canceled: [],
});

/** Targets are never final: a machine can always come back. Only `online` accepts new sessions. */
export const targetStatuses = ['online', 'draining', 'disabled', 'offline'] as const;
export const targetStatusSchema = z.enum(targetStatuses);
export type TargetStatus = z.infer<typeof targetStatusSchema>;
export const targetMachine = defineStateMachine<TargetStatus>('target', {
  online: ['draining', 'disabled', 'offline'],
  draining: ['online', 'disabled', 'offline'],
  disabled: ['online', 'offline'],
  offline: ['online', 'disabled'],
});

/** A merged pull request is final; a closed one may be reopened. */
export const pullRequestStates = ['open', 'closed', 'merged'] as const;
export const pullRequestStateSchema = z.enum(pullRequestStates);
export type PullRequestState = z.infer<typeof pullRequestStateSchema>;
export const pullRequestMachine = defineStateMachine<PullRequestState>('pull request', {
  open: ['closed', 'merged'],
  closed: ['open'],
  merged: [],
});

export const questionStatuses = ['open', 'answered', 'withdrawn'] as const;
export const questionStatusSchema = z.enum(questionStatuses);
export type QuestionStatus = z.infer<typeof questionStatusSchema>;
export const questionMachine = defineStateMachine<QuestionStatus>('question', {
  open: ['answered', 'withdrawn'],
  answered: [],
  withdrawn: [],
});
