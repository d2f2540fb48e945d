import { spawn } from 'node:child_process';
import { readEventStream, type TranscriptFrame } from '@orcha/client';
import type { Command } from 'commander';
import { type Context, type Run, result } from './context.js';
import { exit } from './exit-codes.js';
import { describeFrame, printTree } from './objectives.js';
import { dim, json, line, status } from './output.js';

type Message = Extract<TranscriptFrame, { event: 'message' }>['data'];

export function sessionCommands(program: Command, run: Run) {
  program
    .command('logs')
    .description("a session's transcript; -f follows it live until the session ends")
    .argument('<session>', 'a session id')
    .option('-f, --follow', 'keep printing new messages until the session ends')
    .action(
      run(async (ctx: Context, id: string, options: { follow?: boolean }) => {
        const print = (message: Message) =>
          ctx.json
            ? process.stdout.write(`${JSON.stringify(message)}\n`)
            : line(`${dim(`${message.seq} ${message.kind}`)} ${message.text}`);
        if (options.follow) {
          const path = `/api/sessions/${encodeURIComponent(id)}/stream` as const;
          for await (const frame of readEventStream(path, {
            ...ctx.stream,
            lastEventId: 0,
          })) {
            if (frame.event === 'message') print(frame.data);
            else if (frame.event === 'end' && !ctx.json) line(dim(`session ${status(frame.data.status)}`));
          }
          return;
        }
        let after = 0;
        for (;;) {
          const page = await result(
            ctx.client.GET('/api/sessions/{id}/messages', {
              params: { path: { id }, query: { after, limit: 1_000 } },
            }),
          );
          for (const message of page.messages) print(message);
          if (page.next === null) return;
          after = page.next;
        }
      }),
    );

  program
    .command('steer')
    .description('send a message to a session')
    .argument('<session>', 'a session id')
    .argument('<text>', 'the message')
    .action(
      run(async (ctx: Context, id: string, text: string) => {
        const answer = await result(
          ctx.client.POST('/api/sessions/{id}/messages', { params: { path: { id } }, body: { text } }),
        );
        if (ctx.json) return json(answer);
        line(`${id} ${answer.delivery}`);
      }),
    );

  program
    .command('attach')
    .description("attach this terminal to a session's tmux (locally, or over ssh -t for an SSH target)")
    .argument('<session>', 'a session id')
    .action(
      run(async (ctx: Context, id: string) => {
        const { session } = await result(ctx.client.GET('/api/sessions/{id}', { params: { path: { id } } }));
        if (!session.attachCommand)
          throw new Error(`session ${id} has no terminal to attach to (it runs ${session.agent} headless)`);
        // The command is orcha's own, quoted by the server (tmux -L … attach -t …, or ssh -t … tmux attach …).
        const child = spawn('/bin/sh', ['-c', `exec ${session.attachCommand}`], { stdio: 'inherit' });
        const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
        if (code !== 0) process.exitCode = exit.failed;
      }),
    );

  program
    .command('watch')
    .description('a live summary, redrawn from the change feed (Ctrl-C ends it)')
    .action(
      run(async (ctx: Context) => {
        const first = await result(ctx.client.GET('/api/dashboard'));
        const tty = process.stdout.isTTY === true && !ctx.json;
        const redraw = async () => {
          const dashboard = await result(ctx.client.GET('/api/dashboard'));
          process.stdout.write('\u001b[H\u001b[2J');
          printTree(dashboard);
        };
        if (tty) {
          process.stdout.write('\u001b[H\u001b[2J');
          printTree(first);
        }
        let pending: NodeJS.Timeout | null = null;
        for await (const frame of readEventStream('/api/events', {
          ...ctx.stream,
          lastEventId: first.latestEventId,
        })) {
          // The hello tells a script (or a pipe) that the feed is live from here on.
          if (frame.event === 'hello' && tty) continue;
          if (ctx.json) process.stdout.write(`${JSON.stringify(frame)}\n`);
          else if (frame.event === 'hello')
            line(dim(`watching the change feed after event ${frame.data.latestEventId}`));
          else if (!tty) line(describeFrame(frame));
          else if (!pending)
            pending = setTimeout(() => {
              pending = null;
              void redraw();
            }, 150);
        }
      }),
    );
}
