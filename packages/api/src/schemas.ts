import {
  agentNameSchema,
  branchSchema,
  budgetLimitsSchema,
  repoSchema,
  sessionStatusSchema,
  targetNameSchema,
} from '@orcha/model';
import { z } from 'zod';

/** Request bodies and queries: one schema each, used for validation and for the OpenAPI document. */
export const createObjectiveBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    prompt: z.string().max(100_000).default(''),
    repo: repoSchema.nullish(),
    baseBranch: branchSchema.nullish(),
    /** The seed's spelling. */
    base_branch: branchSchema.nullish(),
    agent: agentNameSchema.nullish(),
    /** Overrides the configured default budget of objectives (tokens, usd, modelCalls, minutes). */
    budget: budgetLimitsSchema.nullish(),
  })
  .strict();

export const cancelBody = z.object({ reason: z.string().max(2_000).optional() }).strict();

export const steerBody = z.object({ text: z.string().trim().min(1).max(100_000) }).strict();

export const answerBody = z.object({ answer: z.string().trim().min(1).max(20_000) }).strict();

export const createTargetBody = z
  .object({
    name: targetNameSchema,
    kind: z.enum(['local', 'ssh']).default('ssh'),
    host: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or address')
      .optional(),
    user: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'a user name')
      .optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    ssh_port: z.number().int().min(1).max(65_535).optional(),
    identity_file: z.string().min(1).max(1_000).optional(),
    identityFile: z.string().min(1).max(1_000).optional(),
    work_root: z.string().min(1).max(1_000).optional(),
    workRoot: z.string().min(1).max(1_000).optional(),
    capacity_sessions: z.number().int().min(1).max(1_000).optional(),
    capacitySessions: z.number().int().min(1).max(1_000).optional(),
    bootstrap: z.string().max(10_000).optional(),
  })
  .strict()
  .refine((body) => body.kind === 'local' || (body.host && body.user), {
    message: 'an ssh target needs host and user',
  })
  .refine((body) => body.work_root ?? body.workRoot, {
    message: 'work_root is required',
    path: ['work_root'],
  });

export const messagesQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});

export const sessionsQuery = z.object({
  objectiveId: z.string().optional(),
  status: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',') : undefined))
    .pipe(z.array(sessionStatusSchema).optional()),
});

export const questionsQuery = z.object({
  status: z.enum(['open', 'answered', 'withdrawn']).optional(),
  objectiveId: z.string().optional(),
});

export const objectiveFilterQuery = z.object({
  objectiveId: z.string().optional(),
  sessionId: z.string().optional(),
});

/** A page of finished objectives: those that finished before the objective `before` (a page's `next`). */
export const historyQuery = z.object({
  before: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const eventsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

/** What trusting a host key takes: the fingerprint the person checked, as `ssh-keygen -l` prints it. */
export const trustHostKeyBody = z
  .object({
    fingerprint: z
      .string()
      .trim()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh-keygen -l prints it (SHA256:…)'),
  })
  .strict();

/** `POST /api/login`: a one-time login code, or nothing when the API token comes as a bearer. */
export const loginBody = z
  .object({ code: z.string().min(1).max(200).optional().describe('The one-time code of a login link.') })
  .strict();
