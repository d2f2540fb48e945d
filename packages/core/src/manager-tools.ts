import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  agentNameSchema,
  branchSchema,
  describeIssues,
  idSchema,
  isOrchaError,
  OrchaError,
  repoSchema,
  type Session,
  targetNameSchema,
} from '@orcha/model';
import { z } from 'zod';
import type { Context } from './context.js';
import { markObjectiveDone, spawnSession } from './objective-ops.js';
import { commentPr, publishPr, updatePr } from './pr-workflow.js';
import { askUser } from './questions.js';
import { cancelSession } from './session-control.js';

/**
 * The tools an agent reaches over MCP at `/mcp/<sessionId>`. A manager gets the full set; a worker only
 * notes, artifacts and ask_user. Every call is scoped to the caller's objective: another objective's
 * sessions and pull requests do not exist for it.
 */
export function createSessionMcpServer(ctx: Context, sessionId: string): McpServer {
  const server = new McpServer({ name: 'orcha', version: '0.1.0' });
  const caller = () => ctx.store.getSession(sessionId);
  const tool = <Shape extends z.ZodRawShape>(
    name: string,
    description: string,
    shape: Shape,
    handler: (args: z.infer<z.ZodObject<Shape>>, session: Session) => Promise<unknown> | unknown,
  ) => {
    const schema = z.object(shape).strict();
    server.registerTool(name, { description, inputSchema: shape }, (async (raw: unknown) => {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success)
        return failure(new OrchaError('invalid_argument', describeIssues(parsed.error.issues)));
      try {
        return success(await handler(parsed.data, caller()));
      } catch (error) {
        return failure(error);
      }
    }) as never);
  };

  tool(
    'ask_user',
    'Ask the person a question only they can answer. Returns at once; the answer arrives later as a message.',
    {
      prompt: z.string().min(1).max(20_000),
      options: z.array(z.string().min(1).max(200)).max(10).optional(),
    },
    (args, session) => {
      const question = askUser(ctx, session.id, args.prompt, args.options ?? []);
      return {
        questionId: question.id,
        status: 'open',
        note: 'The answer will be sent to you as a message.',
      };
    },
  );
  tool(
    'create_note',
    'Record a durable note (finding, decision, plan) on the objective.',
    { title: z.string().min(1).max(200), body: z.string().max(200_000) },
    (args, session) =>
      ctx.store.createNote({ objectiveId: session.objectiveId, sessionId: session.id, ...args }),
  );
  tool(
    'create_artifact',
    'Store a durable output (report, patch, data) on the objective.',
    {
      name: z.string().min(1).max(200),
      mediaType: z.string().min(1).max(100).optional(),
      content: z.string().max(5_000_000),
    },
    (args, session) => {
      const artifact = ctx.store.createArtifact({
        objectiveId: session.objectiveId,
        sessionId: session.id,
        name: args.name,
        mediaType: args.mediaType ?? 'text/plain',
        content: args.content,
      });
      return { id: artifact.id, name: artifact.name };
    },
  );

  if (caller().role !== 'manager') return server;

  const sessionId_ = idSchema('session');
  const scoped = (session: Session, id: string) => {
    const found = ctx.store.getSession(id);
    if (found.objectiveId !== session.objectiveId)
      throw new OrchaError('not_found', `no session ${id} in this objective`);
    return found;
  };
  const summary = (session: Session) => ({
    id: session.id,
    title: session.title,
    role: session.role,
    agent: session.agent,
    status: session.status,
    statusReason: session.statusReason,
    dependsOn: session.dependsOn,
    pullRequestId: session.pullRequestId,
    result: session.result,
  });

  tool(
    'spawn_session',
    'Start a worker session on part of the objective. It is scheduled automatically; you are told when it finishes.',
    {
      prompt: z.string().min(1).max(100_000),
      title: z.string().min(1).max(200).optional(),
      agent: agentNameSchema.optional(),
      dependsOn: z.array(sessionId_).max(50).optional(),
      target: targetNameSchema.optional(),
      workspace: z.enum(['isolated', 'scratch']).optional(),
      repo: repoSchema.optional(),
      baseBranch: branchSchema.optional(),
    },
    (args, session) => summary(spawnSession(ctx, session, args)),
  );
  tool(
    'list_sessions',
    'List the sessions of this objective with their status and result.',
    {},
    (_args, session) => ctx.store.listSessions({ objectiveId: session.objectiveId }).map(summary),
  );
  tool(
    'get_session',
    'Get one session of this objective, with its result.',
    { sessionId: sessionId_ },
    (args, session) => summary(scoped(session, args.sessionId)),
  );
  tool(
    'read_transcript',
    "Read the last messages of a session's transcript.",
    { sessionId: sessionId_, limit: z.number().int().min(1).max(200).optional() },
    (args, session) => {
      const target = scoped(session, args.sessionId);
      const limit = args.limit ?? 20;
      const after = Math.max(0, target.messageCount - limit);
      return ctx.store
        .listMessages(target.id, { after, limit })
        .map((m) => ({ seq: m.seq, kind: m.kind, text: m.text }));
    },
  );
  tool(
    'list_pull_requests',
    'List the pull requests of this objective with their state and session.',
    {},
    (_args, session) =>
      ctx.store.listPullRequests({ objectiveId: session.objectiveId }).map((pr) => ({
        id: pr.id,
        number: pr.number,
        title: pr.title,
        state: pr.state,
        checks: pr.checks,
        sessionId: pr.sessionId,
        url: pr.url,
      })),
  );
  tool(
    'publish_pr',
    "Push a worker's workspace and open a pull request for it.",
    { sessionId: sessionId_, title: z.string().min(1).max(200), body: z.string().max(60_000).optional() },
    (args, session) =>
      publishPr(ctx, scoped(session, args.sessionId), { title: args.title, body: args.body ?? '' }),
  );
  tool(
    'update_pr',
    "Push new commits from a session's workspace to an open pull request. A force push needs a reason.",
    {
      pullRequestId: idSchema('pullRequest'),
      sessionId: sessionId_.optional(),
      force: z.boolean().optional(),
      reason: z.string().max(2_000).optional(),
    },
    (args, session) => updatePr(ctx, session, args),
  );
  tool(
    'comment_pr',
    'Comment on a pull request of this objective.',
    { pullRequestId: idSchema('pullRequest'), body: z.string().min(1).max(60_000) },
    (args, session) => commentPr(ctx, session, args),
  );
  tool(
    'cancel_session',
    'Cancel a session of this objective (its dependents are canceled too).',
    { sessionId: sessionId_, reason: z.string().max(2_000).optional() },
    async (args, session) => {
      const target = scoped(session, args.sessionId);
      if (target.id === session.id)
        throw new OrchaError('invalid_argument', 'use mark_objective_done to end your own session');
      return summary(await cancelSession(ctx, target.id, args.reason ?? 'canceled by the manager'));
    },
  );
  tool(
    'mark_objective_done',
    'Mark the objective done with a summary. Ends your session and cancels any session still going.',
    { summary: z.string().min(1).max(20_000) },
    async (args, session) => {
      const objective = await markObjectiveDone(ctx, session, args.summary);
      return { objectiveId: objective.id, status: objective.status };
    },
  );
  return server;
}

function success(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value ?? null) }] };
}

function failure(error: unknown): CallToolResult {
  const code = isOrchaError(error) ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: { code, message } }) }] };
}
