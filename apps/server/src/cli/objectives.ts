import type { Dashboard, FeedFrame, NewObjective, SessionRow } from '@orcha/client';
import { readEventStream } from '@orcha/client';
import type { Command } from 'commander';
import { type Context, kindOf, type Run, result } from './context.js';
import { NeedsPerson } from './errors.js';
import { bold, dim, json, line, money, status } from './output.js';
import { quickReads } from './quick-read.js';

export function objectiveCommands(program: Command, run: Run) {
  program
    .command('run')
    .description('create an objective (the prompt from -p or stdin); --follow streams it until it ends')
    .argument('<title>', 'a short title')
    .option('-p, --prompt <text>', 'what to do (default: read from stdin when it is not a terminal)')
    .option('--agent <name>', 'the agent the manager runs on')
    .option('--repo <repo>', 'owner/name or a repository URL')
    .option('--base <branch>', 'the branch to start from')
    .option('-f, --follow', 'stream what happens until the objective ends or needs you')
    .action(
      run(async (ctx: Context, title: string, options: RunOptions) => {
        const body: NewObjective = { title, prompt: options.prompt ?? (await promptFromStdin()) };
        if (options.agent) body.agent = options.agent;
        if (options.repo) body.repo = options.repo;
        if (options.base) body.baseBranch = options.base;
        const from = options.follow ? (await result(ctx.client.GET('/api/dashboard'))).latestEventId : 0;
        const created = await result(ctx.client.POST('/api/objectives', { body }));
        if (ctx.json && !options.follow) return json(created);
        if (!ctx.json)
          line(`${bold(created.objective.id)} ${created.objective.title} · manager ${created.manager.id}`);
        if (options.follow) await follow(ctx, created.objective.id, from);
      }),
    );

  program
    .command('ls')
    .description('objectives with their session trees: status, where, cost')
    .action(
      run(async (ctx: Context) => {
        const dashboard = await result(ctx.client.GET(quickReads.ls));
        if (ctx.json) return json(dashboard);
        printTree(dashboard);
      }),
    );

  program
    .command('show')
    .description('an objective (obj_…) or a session (ses_…) in detail')
    .argument('<id>', 'an objective or session id')
    .action(
      run(async (ctx: Context, id: string) => {
        if (kindOf(id) === 'session') {
          const detail = await result(ctx.client.GET('/api/sessions/{id}', { params: { path: { id } } }));
          if (ctx.json) return json(detail);
          const { session } = detail;
          line(`${bold(session.id)} ${session.role} ${session.agent} ${status(session.status)}`);
          line(`  ${session.title}`);
          if (session.statusReason) line(`  ${dim(session.statusReason)}`);
          line(`  target ${detail.target?.name ?? '–'} · workspace ${detail.workspace?.path ?? '–'}`);
          line(
            `  ${session.messageCount} messages · ${money(session.usage.costUsd)} · steering ${detail.steering}`,
          );
          if (session.attachCommand) line(`  attach: ${session.attachCommand}`);
          return;
        }
        const detail = await result(ctx.client.GET('/api/objectives/{id}', { params: { path: { id } } }));
        if (ctx.json) return json(detail);
        const { objective } = detail;
        line(`${bold(objective.id)} ${status(objective.status)} ${objective.title}`);
        if (objective.repo)
          line(`  ${objective.repo}${objective.baseBranch ? ` @ ${objective.baseBranch}` : ''}`);
        if (objective.summary) line(`  ${objective.summary}`);
        for (const session of detail.sessions)
          line(`  ${session.id} ${session.role} ${session.agent} ${status(session.status)} ${session.title}`);
        for (const pr of detail.pullRequests) line(`  PR #${pr.number} ${status(pr.state)} ${pr.url}`);
        for (const question of detail.questions.filter((q) => q.status === 'open'))
          line(`  ? ${question.id} ${question.prompt}`);
      }),
    );

  program
    .command('cancel')
    .description('cancel an objective (obj_…) or a session (ses_…)')
    .argument('<id>', 'an objective or session id')
    .option('--reason <text>', 'why, for the record')
    .action(
      run(async (ctx: Context, id: string, options: { reason?: string }) => {
        const body = options.reason ? { reason: options.reason } : {};
        const params = { path: { id } };
        const answer =
          kindOf(id) === 'session'
            ? await result(ctx.client.POST('/api/sessions/{id}/cancel', { params, body }))
            : await result(ctx.client.POST('/api/objectives/{id}/cancel', { params, body }));
        if (ctx.json) return json(answer);
        const what = 'session' in answer ? answer.session : answer.objective;
        line(`${what.id} ${status(what.status)}`);
      }),
    );
}

interface RunOptions {
  prompt?: string;
  agent?: string;
  repo?: string;
  base?: string;
  follow?: boolean;
}

async function promptFromStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Streams an objective's events until it ends (0 done, 1 failed or canceled) or opens a question (3). */
async function follow(ctx: Context, objectiveId: string, from: number) {
  for await (const frame of readEventStream('/api/events', {
    ...ctx.stream,
    lastEventId: from,
  })) {
    if (frame.event === 'hello' || !('objectiveId' in frame.data) || frame.data.objectiveId !== objectiveId)
      continue;
    if (ctx.json) process.stdout.write(`${JSON.stringify(frame)}\n`);
    else line(describeFrame(frame));
    if (frame.event === 'question-open')
      throw new NeedsPerson(
        `objective ${objectiveId} needs you: answer with \`orcha answer ${frame.data.questionId} "…"\``,
      );
    if (frame.event === 'objective-status-change') {
      if (frame.data.to === 'done') return;
      throw new Error(`objective ${objectiveId} ${frame.data.to}`);
    }
  }
}

/** One line for a change-feed frame. */
export function describeFrame(frame: FeedFrame): string {
  const data = frame.data as Record<string, unknown>;
  const subject = (data.sessionId ?? data.objectiveId ?? data.targetId ?? data.provider ?? '') as string;
  const detail =
    frame.event === 'session-status-change' || frame.event === 'objective-status-change'
      ? `${data.from} → ${status(String(data.to))}${data.reason ? ` ${dim(String(data.reason))}` : ''}`
      : frame.event === 'message-append'
        ? `messages ${data.fromSeq}–${data.toSeq}`
        : frame.event === 'question-open'
          ? `question ${data.questionId}`
          : frame.event === 'pr-open'
            ? `pull request #${data.number}`
            : '';
  return `${dim(frame.event)} ${subject} ${detail}`.trimEnd();
}

/** The dashboard in a terminal: each objective with its session tree. */
export function printTree(dashboard: Dashboard) {
  const targets = new Map(dashboard.targets.map((target) => [target.id, target.name]));
  const { counts } = dashboard.summary;
  line(
    dim(
      `${counts.running} running · ${counts.waiting_input} waiting · ${counts.queued} queued · ${counts.openQuestions} questions · ${counts.openPullRequests} PRs open`,
    ),
  );
  const byObjective = new Map<string, SessionRow[]>();
  for (const session of dashboard.summary.sessions) {
    const list = byObjective.get(session.objectiveId) ?? [];
    list.push(session);
    byObjective.set(session.objectiveId, list);
  }
  for (const objective of dashboard.summary.objectives) {
    const sessions = byObjective.get(objective.id) ?? [];
    const cost = sessions.reduce((sum, session) => sum + session.usage.costUsd, 0);
    line(`${bold(objective.id)} ${status(objective.status)} ${objective.title} ${dim(money(cost))}`);
    const children = (parentId: string | null, depth: number) => {
      for (const session of sessions.filter((s) => s.parentId === parentId)) {
        const where = session.targetId ? (targets.get(session.targetId) ?? session.targetId) : '–';
        line(
          `${'  '.repeat(depth)}${session.id} ${session.role} ${session.agent} ${status(session.status)} @${where} ${dim(money(session.usage.costUsd))} ${session.title}`,
        );
        children(session.id, depth + 1);
      }
    };
    children(null, 1);
  }
  if (dashboard.summary.historyNext) line(dim('(older finished objectives: see the dashboard)'));
}
