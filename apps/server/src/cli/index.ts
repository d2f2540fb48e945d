import { Command, CommanderError } from 'commander';
import { type Context, contextOf, type GlobalOptions } from './context.js';
import { defaultUrl } from './endpoint.js';
import { describe } from './errors.js';
import { exit } from './exit-codes.js';
import { objectiveCommands } from './objectives.js';
import { outputCommands } from './outputs.js';
import { sessionCommands } from './sessions.js';
import { targetCommands } from './targets.js';

/** The client commands of `orcha`, over @orcha/client. `serve` (the default) is the server's own. */
export const clientCommands = [
  'run',
  'ls',
  'show',
  'logs',
  'watch',
  'questions',
  'answer',
  'steer',
  'cancel',
  'prs',
  'attach',
  'targets',
  'completion',
] as const;

export function buildProgram(): Command {
  const program = new Command('orcha')
    .description(
      'orcha: a local orchestrator for AI coding agents. `orcha serve` (the default) runs the server.',
    )
    .option(
      '--url <url>',
      `the orcha server (default: $ORCHA_URL or ${defaultUrl}); the token comes from $ORCHA_API_TOKEN`,
    )
    .option('--json', 'print JSON for scripts')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`${text.split('\n')[0]!.replace(/^error: /, 'orcha: ')}\n`),
    });
  program.command('serve').description('run the server (the default; `orcha serve --help` lists its flags)');
  const run =
    <A extends unknown[]>(action: (ctx: Context, ...args: A) => Promise<void>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await action(contextOf(command.optsWithGlobals<GlobalOptions>()), ...(args as A));
    };
  objectiveCommands(program, run);
  sessionCommands(program, run);
  outputCommands(program, run);
  targetCommands(program, run);
  program
    .command('completion')
    .description('print a bash completion script: eval "$(orcha completion)"')
    .action(() => {
      process.stdout.write(completionScript(program));
    });
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs one client command; resolves to the exit code (0 ok, 1 failed, 2 usage, 3 needs the person). */
export async function runClientCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exit.ok;
  } catch (error) {
    if (error instanceof CommanderError)
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' ? exit.ok : exit.usage;
    const { message, code } = describe(error);
    process.stderr.write(`orcha: ${message}\n`);
    return code;
  }
}

/** Bash completion from the command tree itself: subcommands, then their options. */
function completionScript(program: Command): string {
  const words = (command: Command) => [
    ...command.commands.map((sub) => sub.name()),
    ...command.options.map((option) => option.long ?? ''),
  ];
  const cases = program.commands
    .filter((command) => command.commands.length > 0 || command.options.length > 0)
    .map((command) => `    ${command.name()}) words="${words(command).join(' ')}" ;;`)
    .join('\n');
  return `# orcha bash completion: eval "$(orcha completion)"
_orcha() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words="${words(program).join(' ')}"
  if [ "$COMP_CWORD" -gt 1 ]; then
    case "\${COMP_WORDS[1]}" in
${cases}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _orcha orcha
`;
}
