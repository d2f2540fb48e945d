import {
  agentNameSchema,
  branchSchema,
  budgetLimitsSchema,
  idSchema,
  OrchaError,
  pullRequestSchema,
  repoSchema,
  type Session,
  sessionSchema,
  targetNameSchema,
  transcriptMessageSchema,
} from '@orcha/model';
import { z } from 'zod';
import type { Context } from './context.js';
import { markObjectiveDone, spawnSession } from './objective-ops.js';
import { commentPr, publishPr, updatePr } from './pr-workflow.js';
import { askUser } from './questions.js';
import { cancelSession } from './session-control.js';
import { parseToolArguments } from './tool-arguments.js';

/** Hints for the model choosing a tool (the MCP tool annotations). */
export interface ToolAnnotations {
  /** The tool changes nothing. */
  readOnlyHint: boolean;
  /** The tool may end or overwrite work (meaningful when not read-only). */
  destructiveHint?: boolean;
  /** Calling it twice with the same arguments does no more than once. */
  idempotentHint?: boolean;
  /** It reaches outside orcha (a git host). */
  openWorldHint?: boolean;
}

/**
 * One tool an agent may call, bound to the calling session. `run` takes the raw arguments: it refuses an
 * unknown or misspelled key by name and validates the rest against `input`, then answers data matching
 * `output` (always an object). Errors are `OrchaError`s.
 */
export interface ManagerTool {
  name: string;
  description: string;
  /** A strict object schema; every property carries a description. */
  input: z.ZodObject;
  output?: z.ZodObject;
  annotations: ToolAnnotations;
  run(args: unknown): Promise<unknown>;
}

/** The most `create_artifact` stores, in characters of `content`; stated in its description. */
export const artifactContentLimit = 1_000_000;

interface ToolDefinition<Input extends z.ZodObject, Output extends z.ZodObject> {
  name: string;
  description: string;
  /** Workers get only the tools marked so; a manager gets every tool. */
  forWorkers?: boolean;
  input: Input;
  output?: Output;
  annotations: ToolAnnotations;
  run(args: z.output<Input>, caller: Session): Promise<z.input<Output>> | z.input<Output>;
}

/** Keeps each definition's argument types while the table holds them all. */
const define = <Input extends z.ZodObject, Output extends z.ZodObject>(
  definition: ToolDefinition<Input, Output>,
) => definition as unknown as ToolDefinition<z.ZodObject, z.ZodObject>;

const sessionId = idSchema('session');
const pullRequestId = idSchema('pullRequest');
const sessionSummary = sessionSchema.pick({
  id: true,
  title: true,
  role: true,
  agent: true,
  status: true,
  statusReason: true,
  dependsOn: true,
  pullRequestId: true,
  result: true,
});
const pullRequestSummary = pullRequestSchema.pick({
  id: true,
  number: true,
  title: true,
  state: true,
  checks: true,
  sessionId: true,
  url: true,
});
const summary = (session: Session): z.input<typeof sessionSummary> => sessionSummary.parse(session);

/**
 * The tools an agent reaches at `/mcp/<sessionId>`, as a plain table. Every call is scoped to the caller's
 * objective: another objective's sessions and pull requests do not exist for it.
 */
function toolTable(ctx: Context) {
  const scoped = (caller: Session, id: string) => {
    const found = ctx.store.getSession(id);
    if (found.objectiveId !== caller.objectiveId)
      throw new OrchaError('not_found', `no session ${id} in this objective`);
    return found;
  };
  return [
    define({
      name: 'ask_user',
      description:
        'Ask the person a question only they can answer. Returns at once; the answer arrives later as a message.',
      forWorkers: true,
      input: z
        .object({
          prompt: z
            .string()
            .min(1)
            .max(20_000)
            .describe('The question, self-contained (up to 20,000 characters).'),
          options: z
            .array(z.string().min(1).max(200))
            .max(10)
            .optional()
            .describe('Up to 10 suggested answers the person can pick; they may still answer freely.'),
        })
        .strict(),
      output: z.object({
        questionId: idSchema('question').describe('The id of the question opened.'),
        status: z.literal('open'),
        note: z.string(),
      }),
      annotations: { readOnlyHint: false, destructiveHint: false },
      run: (args, caller) => ({
        questionId: askUser(ctx, caller.id, args.prompt, args.options ?? []).id,
        status: 'open' as const,
        note: 'The answer will be sent to you as a message.',
      }),
    }),
    define({
      name: 'create_note',
      description: 'Record a durable note (finding, decision, plan) on the objective.',
      forWorkers: true,
      input: z
        .object({
          title: z.string().min(1).max(200).describe('A short title (up to 200 characters).'),
          body: z.string().max(200_000).describe('The note in Markdown (up to 200,000 characters).'),
        })
        .strict(),
      output: z.object({ id: idSchema('note').describe('The id of the note.'), title: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: false },
      run: (args, caller) => {
        const note = ctx.store.createNote({ objectiveId: caller.objectiveId, sessionId: caller.id, ...args });
        return { id: note.id, title: note.title };
      },
    }),
    define({
      name: 'create_artifact',
      description: `Store a durable output (report, patch, data) on the objective. The content holds at most ${artifactContentLimit.toLocaleString('en-US')} characters; split anything larger into several artifacts.`,
      forWorkers: true,
      input: z
        .object({
          name: z
            .string()
            .min(1)
            .max(200)
            .describe('A file-like name, e.g. "report.md" (up to 200 characters).'),
          mediaType: z
            .string()
            .min(1)
            .max(100)
            .optional()
            .describe('The IANA media type of the content, e.g. "text/markdown"; "text/plain" when omitted.'),
          content: z
            .string()
            .max(artifactContentLimit, `at most ${artifactContentLimit} characters per artifact`)
            .describe(`The content as text, at most ${artifactContentLimit} characters.`),
        })
        .strict(),
      output: z.object({ id: idSchema('artifact').describe('The id of the artifact.'), name: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: false },
      run: (args, caller) => {
        const artifact = ctx.store.createArtifact({
          objectiveId: caller.objectiveId,
          sessionId: caller.id,
          name: args.name,
          mediaType: args.mediaType ?? 'text/plain',
          content: args.content,
        });
        return { id: artifact.id, name: artifact.name };
      },
    }),
    define({
      name: 'spawn_session',
      description:
        'Start a worker session on part of the objective. It is scheduled automatically; you are told when it finishes.',
      input: z
        .object({
          prompt: z
            .string()
            .min(1)
            .max(100_000)
            .describe('Everything the worker needs to know to do its part (up to 100,000 characters).'),
          title: z.string().min(1).max(200).optional().describe('A short title shown on the dashboard.'),
          agent: agentNameSchema
            .optional()
            .describe("The agent to run, e.g. 'claude' or 'codex'; the objective's agent when omitted."),
          dependsOn: z
            .array(sessionId)
            .max(50)
            .optional()
            .describe('Ids of sessions of this objective that must complete before this one starts.'),
          target: targetNameSchema
            .optional()
            .describe('The name or id of the machine to run on; any machine with room when omitted.'),
          workspace: z
            .enum(['isolated', 'scratch'])
            .optional()
            .describe(
              'isolated: its own git checkout and branch (the default with a repo); scratch: a shared directory.',
            ),
          repo: repoSchema
            .optional()
            .describe("The repository as 'owner/name'; the objective's when omitted."),
          baseBranch: branchSchema
            .optional()
            .describe("The branch to start from; the objective's base branch when omitted."),
          budget: budgetLimitsSchema
            .optional()
            .describe(
              "The worker's budget (tokens, usd, modelCalls, minutes), at most what the objective has left; asking for more is refused.",
            ),
        })
        .strict(),
      output: sessionSummary,
      annotations: { readOnlyHint: false, destructiveHint: false },
      run: (args, caller) => summary(spawnSession(ctx, caller, args)),
    }),
    define({
      name: 'list_sessions',
      description: 'List the sessions of this objective with their status and result.',
      input: z.object({}).strict(),
      output: z.object({ sessions: z.array(sessionSummary) }),
      annotations: { readOnlyHint: true, idempotentHint: true },
      run: (_args, caller) => ({
        sessions: ctx.store.listSessions({ objectiveId: caller.objectiveId }).map(summary),
      }),
    }),
    define({
      name: 'get_session',
      description: 'Get one session of this objective, with its result.',
      input: z.object({ sessionId: sessionId.describe('The id of a session of this objective.') }).strict(),
      output: sessionSummary,
      annotations: { readOnlyHint: true, idempotentHint: true },
      run: (args, caller) => summary(scoped(caller, args.sessionId)),
    }),
    define({
      name: 'read_transcript',
      description: "Read the last messages of a session's transcript.",
      input: z
        .object({
          sessionId: sessionId.describe('The id of a session of this objective.'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(200)
            .optional()
            .describe('How many of the last messages to read, 1 to 200 (20 when omitted).'),
        })
        .strict(),
      output: z.object({
        messages: z.array(transcriptMessageSchema.pick({ seq: true, kind: true, text: true })),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true },
      run: (args, caller) => {
        const session = scoped(caller, args.sessionId);
        const limit = args.limit ?? 20;
        const after = Math.max(0, session.messageCount - limit);
        return {
          messages: ctx.store
            .listMessages(session.id, { after, limit })
            .map((m) => ({ seq: m.seq, kind: m.kind, text: m.text })),
        };
      },
    }),
    define({
      name: 'list_pull_requests',
      description: 'List the pull requests of this objective with their state and session.',
      input: z.object({}).strict(),
      output: z.object({ pullRequests: z.array(pullRequestSummary) }),
      annotations: { readOnlyHint: true, idempotentHint: true },
      run: (_args, caller) => ({
        pullRequests: ctx.store
          .listPullRequests({ objectiveId: caller.objectiveId })
          .map((pr) => pullRequestSummary.parse(pr)),
      }),
    }),
    define({
      name: 'publish_pr',
      description: "Push a worker's workspace and open a pull request for it.",
      input: z
        .object({
          sessionId: sessionId.describe('The id of the worker session whose workspace is published.'),
          title: z.string().min(1).max(200).describe('The pull request title.'),
          body: z.string().max(60_000).optional().describe('The pull request description in Markdown.'),
        })
        .strict(),
      output: pullRequestSummary,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      run: async (args, caller) =>
        pullRequestSummary.parse(
          await publishPr(ctx, scoped(caller, args.sessionId), { title: args.title, body: args.body ?? '' }),
        ),
    }),
    define({
      name: 'update_pr',
      description:
        "Push new commits from a session's workspace to an open pull request. A force push needs a reason.",
      input: z
        .object({
          pullRequestId: pullRequestId.describe(
            'The id (not the number) of a pull request of this objective.',
          ),
          sessionId: sessionId
            .optional()
            .describe("The session whose workspace is pushed; the pull request's own session when omitted."),
          force: z.boolean().optional().describe('Force-push (rewrites the branch); needs a reason.'),
          reason: z.string().max(2_000).optional().describe('Why a force push is needed; recorded.'),
        })
        .strict(),
      output: z.object({
        outcome: z.enum(['pushed', 'needs_manager_decision']),
        pullRequest: pullRequestSummary.optional(),
        forced: z.boolean().optional(),
        questionId: idSchema('question').optional().describe('The question opened when the PR is closed.'),
        reason: z.string().optional(),
      }),
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
      run: async (args, caller) => {
        const outcome = await updatePr(ctx, caller, args);
        return outcome.outcome === 'pushed'
          ? {
              outcome: outcome.outcome,
              pullRequest: pullRequestSummary.parse(outcome.pullRequest),
              forced: outcome.forced,
            }
          : { outcome: outcome.outcome, questionId: outcome.questionId, reason: outcome.reason };
      },
    }),
    define({
      name: 'comment_pr',
      description: 'Comment on a pull request of this objective.',
      input: z
        .object({
          pullRequestId: pullRequestId.describe(
            'The id (not the number) of a pull request of this objective.',
          ),
          body: z.string().min(1).max(60_000).describe('The comment in Markdown.'),
        })
        .strict(),
      output: z.object({ commentId: z.string().describe("The git host's id of the comment.") }),
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
      run: async (args, caller) => ({ commentId: (await commentPr(ctx, caller, args)).id }),
    }),
    define({
      name: 'cancel_session',
      description: 'Cancel a session of this objective (its dependents are canceled too).',
      input: z
        .object({
          sessionId: sessionId.describe('The id of a session of this objective, not your own.'),
          reason: z.string().max(2_000).optional().describe('Why; shown on the dashboard.'),
        })
        .strict(),
      output: sessionSummary,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
      run: async (args, caller) => {
        const target = scoped(caller, args.sessionId);
        if (target.id === caller.id)
          throw new OrchaError('invalid_argument', 'use mark_objective_done to end your own session');
        return summary(await cancelSession(ctx, target.id, args.reason ?? 'canceled by the manager'));
      },
    }),
    define({
      name: 'mark_objective_done',
      description:
        'Mark the objective done with a summary. Ends your session and cancels any session still going.',
      input: z
        .object({ summary: z.string().min(1).max(20_000).describe('What was achieved, for the person.') })
        .strict(),
      output: z.object({ objectiveId: idSchema('objective'), status: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: true },
      run: async (args, caller) => {
        const objective = await markObjectiveDone(ctx, caller, args.summary);
        return { objectiveId: objective.id, status: objective.status };
      },
    }),
  ];
}

/** Each orchestrator's table, built once: every MCP request asks for it. */
const tables = new WeakMap<Context, ReturnType<typeof toolTable>>();

/** The tools `sessionId` may call: the full table for a manager; notes, artifacts and ask_user for a worker. */
export function sessionTools(ctx: Context, sessionId: string): ManagerTool[] {
  const role = ctx.store.getSession(sessionId).role;
  let table = tables.get(ctx);
  if (!table) {
    table = toolTable(ctx);
    tables.set(ctx, table);
  }
  return table
    .filter((tool) => role === 'manager' || tool.forWorkers)
    .map((tool) => ({
      name: tool.name,
      description: tool.description,
      input: tool.input,
      ...(tool.output ? { output: tool.output } : {}),
      annotations: tool.annotations,
      async run(raw: unknown) {
        const args = parseToolArguments(tool.name, tool.input, raw);
        const value = await tool.run(args, ctx.store.getSession(sessionId));
        return tool.output ? tool.output.parse(value) : value;
      },
    }));
}
