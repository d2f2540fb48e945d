import {
  agentNameSchema,
  artifactSchema,
  branchSchema,
  budgetLimitsSchema,
  doctorReportSchema,
  errorCodes,
  eventDataSchema,
  noteSchema,
  objectiveSchema,
  prFeedbackSchema,
  pullRequestSchema,
  questionSchema,
  questionStatusSchema,
  repoSchema,
  sessionSchema,
  sessionStatuses,
  sessionStatusSchema,
  targetNameSchema,
  targetSchema,
  transcriptMessageSchema,
  workspaceSchema,
} from '@orcha/model';
import { z } from 'zod';

/**
 * The wire contract: every request and response shape, one zod schema each. Routes declare them
 * (`routes/*.ts`), validation and the OpenAPI document come from them. One spelling on the wire: camelCase.
 */

// ---- entities (named: they become components of the document) ----

export const Objective = objectiveSchema.meta({ id: 'Objective', description: 'A goal given to orcha.' });
export const Session = sessionSchema.meta({
  id: 'Session',
  description: 'One agent run: the manager of an objective or one of its workers.',
});
export const Target = targetSchema.meta({ id: 'Target', description: 'A machine sessions run on.' });
export const TargetWithLoad = targetSchema
  .extend({ used: z.number().int().nonnegative().describe('Slots held by running sessions.') })
  .meta({ id: 'TargetWithLoad', description: 'A target with the slots it has in use.' });
export const Workspace = workspaceSchema.meta({ id: 'Workspace', description: 'Where a session works.' });
export const PullRequest = pullRequestSchema.meta({ id: 'PullRequest', description: 'A pull request.' });
export const PrFeedback = prFeedbackSchema.meta({
  id: 'PrFeedback',
  description: 'Review feedback on a pull request.',
});
export const PullRequestWithFeedback = pullRequestSchema
  .extend({ feedback: z.array(PrFeedback) })
  .meta({ id: 'PullRequestWithFeedback', description: 'A pull request with its feedback.' });
export const Question = questionSchema.meta({ id: 'Question', description: 'A question for the person.' });
export const Note = noteSchema.meta({ id: 'Note', description: 'A note a session left.' });
export const Artifact = artifactSchema.meta({ id: 'Artifact', description: 'A file a session produced.' });
export const ArtifactSummary = artifactSchema
  .omit({ content: true })
  .meta({ id: 'ArtifactSummary', description: 'An artifact without its content.' });
export const TranscriptMessage = transcriptMessageSchema.meta({
  id: 'TranscriptMessage',
  description: 'One message of a session transcript.',
});
export const DoctorReport = doctorReportSchema.meta({
  id: 'DoctorReport',
  description: "A target doctor's checks.",
});

export const SessionRow = sessionSchema
  .pick({
    id: true,
    objectiveId: true,
    parentId: true,
    role: true,
    agent: true,
    title: true,
    status: true,
    statusReason: true,
    targetId: true,
    pullRequestId: true,
    interactivity: true,
    attachCommand: true,
    usage: true,
    lastActivity: true,
    messageCount: true,
    createdAt: true,
    updatedAt: true,
    startedAt: true,
    endedAt: true,
    budget: true,
    budgetLevel: true,
  })
  .meta({ id: 'SessionRow', description: 'A session as the overview shows it: no prompt, no transcript.' });
export const ObjectiveRow = objectiveSchema
  .omit({ prompt: true })
  .meta({ id: 'ObjectiveRow', description: 'An objective as the overview shows it: no prompt.' });

export const ServerInfo = z
  .object({
    version: z.string(),
    fakeAgents: z.boolean().describe('True when agents are the scripted fake.'),
    agents: z.array(z.string()),
    forge: z.string(),
  })
  .meta({ id: 'ServerInfo', description: 'What the server says about itself.' });

export const Counts = z
  .object({
    ...Object.fromEntries(sessionStatuses.map((status) => [status, z.number().int().nonnegative()])),
    openQuestions: z.number().int().nonnegative(),
    openPullRequests: z.number().int().nonnegative(),
    targetsOnline: z.number().int().nonnegative(),
  } as Record<
    (typeof sessionStatuses)[number] | 'openQuestions' | 'openPullRequests' | 'targetsOnline',
    z.ZodNumber
  >)
  .meta({ id: 'Counts', description: 'Sessions per status and what waits on the person.' });

export const ProviderUsage = z
  .object({
    provider: z.string(),
    exhaustedUntil: z.number().int().nullable(),
    updatedAt: z.number().int(),
  })
  .meta({ id: 'ProviderUsage', description: "A provider's usage limit state." });

export const Replica = z
  .object({
    id: z.string(),
    address: z.string(),
    startedAt: z.number().int(),
    heartbeatAt: z.number().int(),
    leader: z.boolean(),
  })
  .meta({
    id: 'Replica',
    description:
      'One `orcha serve` on a shared PostgreSQL database: where it serves, its last heartbeat, whether it leads (schedules).',
  });

export const ReplicasResponse = z
  .object({
    replicas: z.array(Replica),
    leaseMs: z
      .number()
      .int()
      .nullable()
      .describe('The leader lease: a replica silent this long is replaced (null on SQLite: one process).'),
  })
  .meta({ id: 'ReplicasResponse', description: 'The replicas of this orcha.' });

export const Delivery = z
  .enum(['live', 'restart', 'queued'])
  .meta({ id: 'Delivery', description: 'How a steering message reached its session.' });

export const NotificationDelivery = z
  .object({
    notificationId: z.number().int(),
    sink: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int().nonnegative(),
    nextAttemptAt: z.number().int(),
    lastError: z.string().nullable(),
    deliveredAt: z.number().int().nullable(),
    updatedAt: z.number().int(),
  })
  .meta({ id: 'NotificationDelivery', description: "One sink's delivery of one notification." });
export const Notification = z
  .object({
    id: z.number().int(),
    key: z.string().describe('The idempotency key every sink receives: `orcha-event-<eventId>`.'),
    eventId: z.number().int(),
    at: z.number().int(),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    objectiveId: z.string().nullable(),
    deliveries: z.array(NotificationDelivery),
  })
  .meta({ id: 'Notification', description: 'A notification with its delivery log per sink.' });

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).describe('Stable, machine-readable.'),
      message: z.string().describe('For people.'),
    }),
  })
  .meta({ id: 'Error', description: 'Every error, whatever its status.' });

// ---- responses ----

export const DashboardResponse = z
  .object({
    info: ServerInfo,
    summary: z.object({
      counts: Counts,
      objectives: z.array(ObjectiveRow).describe('Every active objective and the newest finished ones.'),
      sessions: z.array(SessionRow),
      historyNext: z
        .string()
        .nullable()
        .describe('Where older finished objectives start (`/api/dashboard/history?before=`).'),
    }),
    targets: z.array(TargetWithLoad),
    questions: z.array(Question),
    pullRequests: z.array(PullRequest),
    providers: z.array(ProviderUsage),
    latestEventId: z.number().int().nonnegative(),
  })
  .meta({ id: 'Dashboard', description: 'The dashboard summary.' });

export const HistoryPage = z
  .object({
    objectives: z.array(ObjectiveRow),
    sessions: z.array(SessionRow),
    next: z.string().nullable().describe('The `before` of the next page; null on the last.'),
  })
  .meta({ id: 'HistoryPage', description: 'A page of finished objectives with their sessions.' });

export const ObjectiveCreated = z
  .object({ objective: Objective, manager: Session })
  .meta({ id: 'ObjectiveCreated', description: 'The new objective and its manager session.' });

export const ObjectiveDetail = z
  .object({
    objective: Objective,
    sessions: z.array(Session),
    pullRequests: z.array(PullRequest),
    questions: z.array(Question),
    notes: z.array(Note),
    artifacts: z.array(ArtifactSummary),
  })
  .meta({ id: 'ObjectiveDetail', description: 'An objective with everything it produced.' });

export const SessionDetail = z
  .object({
    session: Session,
    live: z.boolean().describe("Whether the session's run is live in this process."),
    steering: z.enum(['live', 'cancel_and_resume']).describe('How a steering message reaches it.'),
    // A union, not `.nullable()`: a nullable named schema would make the named one nullable everywhere.
    workspace: z.union([Workspace, z.null()]),
    target: z.union([Target, z.null()]),
  })
  .meta({ id: 'SessionDetail', description: 'A session with its workspace and target.' });

export const MessagesPage = z
  .object({
    messages: z.array(TranscriptMessage),
    next: z.number().int().nullable().describe('The `after` of the next page; null on the last.'),
    total: z.number().int().nonnegative(),
  })
  .meta({ id: 'MessagesPage', description: 'A page of a transcript.' });

export const Screen = z
  .object({ screen: z.string(), attachCommand: z.string().nullable() })
  .meta({ id: 'Screen', description: "A tmux session's terminal as text." });

export const TargetRegistration = z
  .object({ target: Target, doctor: DoctorReport })
  .meta({ id: 'TargetRegistration', description: 'A target and its doctor report.' });

export const TrustedHostKey = z
  .object({
    target: Target,
    doctor: DoctorReport,
    trusted: z.object({ fingerprint: z.string(), knownHostsLine: z.string() }),
  })
  .meta({ id: 'TrustedHostKey', description: 'The trusted host key and the doctor run after it.' });

export const Ok = z.object({ ok: z.literal(true) }).meta({ id: 'Ok', description: 'Done.' });

// ---- requests: one spelling; the seed's snake_case fields are aliases the edge renames (edge.ts) ----

const alias = (name: string) => ` Also accepted as \`${name}\`.`;

export const createObjectiveBody = z
  .object({
    title: z.string().trim().min(1).max(200).describe('A short title.'),
    prompt: z.string().max(100_000).optional().describe('What to do (default: nothing more than the title).'),
    repo: repoSchema.nullish().describe('The repository: owner/name or a URL.'),
    baseBranch: branchSchema.nullish().describe(`The branch to start from.${alias('base_branch')}`),
    agent: agentNameSchema.nullish().describe('The agent the manager runs on.'),
    budget: budgetLimitsSchema
      .nullish()
      .describe(
        "The objective's budget (tokens, usd, modelCalls, minutes); overrides the configured default.",
      ),
  })
  .strict()
  .meta({ id: 'NewObjective', description: 'An objective to create.' });

export const cancelBody = z
  .object({ reason: z.string().max(2_000).optional().describe('Why, for the record.') })
  .strict()
  .meta({ id: 'Cancel', description: 'A cancellation.' });

export const steerBody = z
  .object({ text: z.string().trim().min(1).max(100_000).describe('The message for the agent.') })
  .strict()
  .meta({ id: 'Steer', description: 'A steering message.' });

export const answerBody = z
  .object({ answer: z.string().trim().min(1).max(20_000).describe('The answer.') })
  .strict()
  .meta({ id: 'Answer', description: "A question's answer." });

export const createTargetBody = z
  .object({
    name: targetNameSchema.describe('A unique name.'),
    kind: z.enum(['local', 'ssh']).optional().describe('Where it is reached (default `ssh`).'),
    host: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or address')
      .optional()
      .describe('SSH: host name or address.'),
    user: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._-]+$/, 'a user name')
      .optional()
      .describe('SSH: user name.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe(`SSH: port.${alias('ssh_port')}`),
    identityFile: z
      .string()
      .min(1)
      .max(1_000)
      .optional()
      .describe(`SSH: private key file.${alias('identity_file')}`),
    workRoot: z
      .string()
      .min(1)
      .max(1_000)
      .describe(`Where workspaces go.${alias('work_root')}`),
    capacitySessions: z
      .number()
      .int()
      .min(1)
      .max(1_000)
      .optional()
      .describe(`Sessions at once (default 4).${alias('capacity_sessions')}`),
    bootstrap: z.string().max(10_000).optional().describe('A script run once on registration.'),
    memoryFloorBytes: z
      .number()
      .int()
      .nonnegative()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('Free memory (bytes) placement keeps on the machine.'),
    diskFloorBytes: z
      .number()
      .int()
      .nonnegative()
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe('Free disk (bytes) in the work root below which no new workspace is made.'),
  })
  .strict()
  .refine((body) => body.kind === 'local' || (body.host && body.user), {
    message: 'an ssh target needs host and user',
  })
  .meta({ id: 'NewTarget', description: 'A machine to register.' });

/** What trusting a host key takes: the fingerprint the person checked, as `ssh-keygen -l` prints it. */
export const trustHostKeyBody = z
  .object({
    fingerprint: z
      .string()
      .trim()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh-keygen -l prints it (SHA256:…)')
      .describe('As `ssh-keygen -l` prints it.'),
  })
  .strict()
  .meta({ id: 'TrustHostKey', description: 'The fingerprint a person compared.' });

/** `POST /api/login`: a one-time login code, or nothing when the API token comes as a bearer. */
export const loginBody = z
  .object({ code: z.string().min(1).max(200).optional().describe('The one-time code of a login link.') })
  .strict()
  .meta({ id: 'Login', description: 'A login code, or nothing with a bearer token.' });

// ---- queries and path parameters ----

const id = (what: string) => z.object({ id: z.string().min(1).max(200).describe(`The ${what}'s id.`) });
export const objectiveParams = id('objective');
export const sessionParams = id('session');
export const targetParams = z.object({
  id: z.string().min(1).max(200).describe("The target's id or name."),
});
export const questionParams = id('question');
export const artifactParams = id('artifact');

const cursor = z.coerce.number().int().min(0);

export const messagesQuery = z.object({
  after: cursor.default(0).describe('Messages after this seq.'),
  limit: z.coerce.number().int().min(1).max(1_000).default(200).describe('At most this many.'),
});

export const streamQuery = z.object({
  after: cursor.default(0).describe('Messages after this seq; `Last-Event-ID` wins.'),
});

export const sessionsQuery = z.object({
  objectiveId: z.string().optional().describe("An objective's sessions only."),
  status: z
    .string()
    .optional()
    .describe(`Comma-separated statuses: ${sessionStatusSchema.options.join(', ')}.`)
    .transform((value) => (value ? value.split(',') : undefined))
    .pipe(z.array(sessionStatusSchema).optional()),
});

export const questionsQuery = z.object({
  status: questionStatusSchema.optional().describe('Only questions in this status.'),
  objectiveId: z.string().optional().describe("An objective's questions only."),
});

export const objectiveFilterQuery = z.object({
  objectiveId: z.string().optional().describe("An objective's only."),
  sessionId: z.string().optional().describe("A session's only."),
});

export const historyQuery = z.object({
  before: z.string().optional().describe('A page’s `next`: objectives finished before it.'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('At most this many.'),
});

export const eventsQuery = z.object({
  after: cursor.optional().describe('Events after this id; `Last-Event-ID` wins. Default: from now.'),
});

export const notificationsQuery = z.object({
  before: z.coerce.number().int().min(1).optional().describe('Notifications older than this id.'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('At most this many.'),
});

// ---- server-sent events ----

const eventTypes = eventDataSchema.options.map((option) => option.shape.type.value);

/** One frame of `/api/events`: the `hello` first, then stored events (`id` is the store's event id). */
export const FeedFrame = z
  .union([
    z.object({
      event: z.literal('hello'),
      data: z.object({ latestEventId: z.number().int().nonnegative() }),
    }),
    ...eventDataSchema.options.map((option) =>
      z.object({
        event: z.literal(option.shape.type.value),
        id: z.number().int().positive(),
        data: option.extend({ id: z.number().int().positive(), at: z.number().int() }),
      }),
    ),
  ])
  .meta({
    id: 'FeedFrame',
    description: `A server-sent event of the change feed: \`event\` is its name, \`data\` its JSON. Names: hello, ${eventTypes.join(', ')}. Comments (\`: ping\`) keep the stream open.`,
  });

/** One frame of a session's transcript stream. */
export const TranscriptFrame = z
  .union([
    z.object({
      event: z.literal('message'),
      id: z.number().int().positive().describe("The message's seq: resume with `Last-Event-ID`."),
      data: TranscriptMessage,
    }),
    z.object({
      event: z.literal('status'),
      data: eventDataSchema.options
        .find((option) => option.shape.type.value === 'session-status-change')!
        .extend({ id: z.number().int().positive(), at: z.number().int() }),
    }),
    z.object({ event: z.literal('end'), data: z.object({ status: sessionStatusSchema }) }),
  ])
  .meta({
    id: 'TranscriptFrame',
    description:
      'A server-sent event of a transcript stream: `message` (one transcript message), `status` (a status change), `end` (the session ended; the stream closes).',
  });
