import type { NewTarget } from '@orcha/client';
import { type Command, Option } from 'commander';
import { type Context, type Run, result } from './context.js';
import { UsageError } from './errors.js';
import { exit } from './exit-codes.js';
import { bold, dim, json, line, status } from './output.js';
import { quickReads } from './quick-read.js';

const integer = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value))
    throw new UsageError(`${name} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
};

export function targetCommands(program: Command, run: Run) {
  const targets = program
    .command('targets')
    .description('machines sessions run on: list, add, doctor, trust, drain, disable, enable')
    .action(
      run(async (ctx: Context) => {
        const answer = await result(ctx.client.GET(quickReads.targets));
        if (ctx.json) return json(answer);
        for (const target of answer.targets) {
          const where =
            target.kind === 'ssh'
              ? `${target.user}@${target.host}${target.port ? `:${target.port}` : ''}`
              : 'local';
          const doctor = target.doctor ? (target.doctor.ok ? 'doctor ok' : 'doctor failed') : 'no doctor yet';
          line(
            `${bold(target.name)} ${status(target.status)} ${where} ${target.used}/${target.capacitySessions} ${dim(doctor)} ${dim(target.id)}`,
          );
        }
      }),
    );

  targets
    .command('add')
    .description('register a machine: bootstrap, then doctor (exit 1 when the doctor finds a problem)')
    .argument('<name>', 'a unique name')
    .requiredOption('--work-root <path>', 'where workspaces go')
    .addOption(new Option('--kind <kind>', 'how it is reached').choices(['ssh', 'local']).default('ssh'))
    .option('--host <host>', 'SSH: host name or address')
    .option('--user <user>', 'SSH: user name')
    .option('--port <port>', 'SSH: port', integer('--port'))
    .option('--identity-file <path>', 'SSH: private key file')
    .option('--capacity <n>', 'sessions at once', integer('--capacity'))
    .option('--bootstrap <script>', 'a script run once on registration')
    .action(
      run(async (ctx: Context, name: string, options: AddOptions) => {
        const body: NewTarget = { name, kind: options.kind, workRoot: options.workRoot };
        if (options.host) body.host = options.host;
        if (options.user) body.user = options.user;
        if (options.port !== undefined) body.port = options.port;
        if (options.identityFile) body.identityFile = options.identityFile;
        if (options.capacity !== undefined) body.capacitySessions = options.capacity;
        if (options.bootstrap) body.bootstrap = options.bootstrap;
        report(ctx, await result(ctx.client.POST('/api/targets', { body })));
      }),
    );

  targets
    .command('doctor')
    .description("re-run a target's doctor (exit 1 when it finds a problem)")
    .argument('<target>', 'a target id or name')
    .action(
      run(async (ctx: Context, id: string) =>
        report(ctx, await result(ctx.client.POST('/api/targets/{id}/doctor', { params: { path: { id } } }))),
      ),
    );

  targets
    .command('trust')
    .description("trust an SSH target's host key once you compared its fingerprint")
    .argument('<target>', 'a target id or name')
    .argument('<fingerprint>', 'SHA256:… as ssh-keygen -l prints it')
    .action(
      run(async (ctx: Context, id: string, fingerprint: string) =>
        report(
          ctx,
          await result(
            ctx.client.POST('/api/targets/{id}/trust-host-key', {
              params: { path: { id } },
              body: { fingerprint },
            }),
          ),
        ),
      ),
    );

  for (const [action, description] of [
    ['drain', 'take no new sessions; running ones finish'],
    ['disable', 'take the target out of rotation'],
    ['enable', 'put the target back online'],
  ] as const) {
    targets
      .command(action)
      .description(description)
      .argument('<target>', 'a target id or name')
      .action(
        run(async (ctx: Context, id: string) => {
          const params = { params: { path: { id } } };
          const answer =
            action === 'drain'
              ? await result(ctx.client.POST('/api/targets/{id}/drain', params))
              : action === 'disable'
                ? await result(ctx.client.POST('/api/targets/{id}/disable', params))
                : await result(ctx.client.POST('/api/targets/{id}/enable', params));
          if (ctx.json) return json(answer);
          line(`${answer.target.name} ${status(answer.target.status)}`);
        }),
      );
  }
}

interface AddOptions {
  workRoot: string;
  kind: 'ssh' | 'local';
  host?: string;
  user?: string;
  port?: number;
  identityFile?: string;
  capacity?: number;
  bootstrap?: string;
}

function report(
  ctx: Context,
  answer: {
    target: { name: string; status: string };
    doctor: { ok: boolean; checks: { name: string; ok: boolean; detail: string; fix: string | null }[] };
  },
) {
  // A doctor that found a problem fails the command, so a script can tell (the target is registered still).
  if (!answer.doctor.ok) process.exitCode = exit.failed;
  if (ctx.json) return json(answer);
  line(
    `${bold(answer.target.name)} ${status(answer.target.status)} doctor ${answer.doctor.ok ? 'ok' : 'failed'}`,
  );
  for (const check of answer.doctor.checks)
    line(
      `  ${check.ok ? '✓' : '✗'} ${check.name} ${dim(check.detail)}${check.fix && !check.ok ? ` — ${check.fix}` : ''}`,
    );
}
