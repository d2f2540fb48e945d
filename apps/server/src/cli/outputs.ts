import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { type Context, type Run, result } from './context.js';
import { UsageError } from './errors.js';
import { bold, dim, json, line, status } from './output.js';
import { quickReads } from './quick-read.js';

export function outputCommands(program: Command, run: Run) {
  program
    .command('questions')
    .description('open questions: what waits on you')
    .option('--all', 'answered and withdrawn ones too')
    .action(
      run(async (ctx: Context, options: { all?: boolean }) => {
        const query = options.all ? {} : { status: 'open' as const };
        const answer = await result(ctx.client.GET('/api/questions', { params: { query } }));
        if (ctx.json) return json(answer);
        if (answer.questions.length === 0) return line(dim('no questions'));
        for (const question of answer.questions) {
          line(`${bold(question.id)} ${status(question.status)} ${dim(question.kind)} ${question.prompt}`);
          if (question.options.length)
            line(`  ${dim(question.options.map((o, i) => `${i + 1}) ${o}`).join('  '))}`);
        }
      }),
    );

  program
    .command('answer')
    .description('answer a question (without text on a terminal: pick from its options)')
    .argument('<question>', 'a question id')
    .argument('[text]', 'the answer')
    .action(
      run(async (ctx: Context, id: string, text: string | undefined) => {
        const answer = text ?? (await pick(ctx, id));
        const answered = await result(
          ctx.client.POST('/api/questions/{id}/answer', { params: { path: { id } }, body: { answer } }),
        );
        if (ctx.json) return json(answered);
        line(`${answered.question.id} ${status(answered.question.status)}`);
      }),
    );

  program
    .command('prs')
    .description('pull requests with their state, checks and feedback')
    .option('--objective <id>', "one objective's only")
    .action(
      run(async (ctx: Context, options: { objective?: string }) => {
        const query = options.objective ? { objectiveId: options.objective } : {};
        const answer = await result(ctx.client.GET(quickReads.prs, { params: { query } }));
        if (ctx.json) return json(answer);
        if (answer.pullRequests.length === 0) return line(dim('no pull requests'));
        for (const pr of answer.pullRequests)
          line(
            `${pr.repo}#${pr.number} ${status(pr.state)} checks ${pr.checks} ${dim(`${pr.feedback.length} feedback`)} ${pr.title} ${dim(pr.url)}`,
          );
      }),
    );
}

/** The interactive picker: the question's options, numbered; a number picks one, anything else is the answer. */
async function pick(ctx: Context, id: string): Promise<string> {
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new UsageError('give the answer as an argument: orcha answer QUESTION "text"');
  const { questions } = await result(
    ctx.client.GET('/api/questions', { params: { query: { status: 'open' } } }),
  );
  const question = questions.find((q) => q.id === id);
  if (!question) throw new UsageError(`no open question ${id}`);
  line(bold(question.prompt));
  for (const [index, option] of question.options.entries()) line(`  ${index + 1}) ${option}`);
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const reply = (await prompt.question('answer: ')).trim();
    const chosen = /^\d+$/.test(reply) ? question.options[Number(reply) - 1] : undefined;
    if (!chosen && !reply) throw new UsageError('no answer given');
    return chosen ?? reply;
  } finally {
    prompt.close();
  }
}
