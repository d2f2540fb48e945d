import type { AgentProvider, AgentRun, AgentSpec, TerminalAgent } from '@orcha/agent';
import type { Executor } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { createTmuxController, type TmuxController } from '@orcha/tmux';
import { launchWithEnvFile } from './env-file.js';
import { createTmuxRun } from './tmux-run.js';

export interface TmuxProviderSettings {
  /** A plain terminal program to run for a session, e.g. `() => ['bash']`. Give this or `terminal`. */
  command?: ((spec: AgentSpec) => string[]) | undefined;
  /**
   * An agent CLI's TUI (`createClaudeTerminal`, `createCodexTerminal`): launched with its headless options
   * and driven by its screen — dialogs answered by policy or put to a person, the prompt typed into a
   * ready input box, a turn complete when the input box is ready again.
   */
  terminal?: TerminalAgent | undefined;
  /** The agent name sessions use (default `tmux`). */
  name?: string | undefined;
  /** tmux socket (`-L`) for the default controller. Ignored when `controller` is given. */
  socketName?: string | undefined;
  /** Builds the controller for a spec's executor (default: `createTmuxController` on `socketName`). */
  controller?: ((executor: Executor) => TmuxController) | undefined;
  /** Type the spec's prompt into the program once it has printed something (default true; `command` only). */
  typePrompt?: boolean | undefined;
  /** `terminal` only: how long an unrecognised screen may last before a person is asked (default 30 s). */
  unknownScreenMs?: number | undefined;
  cols?: number | undefined;
  rows?: number | undefined;
}

/**
 * Any terminal program as an interactive agent in an attachable tmux session named `orcha-<sessionId>`.
 * Its terminal output is the transcript (`output` events, ANSI stripped, raw kept); `send` types into it;
 * cancel kills the session; the run survives orcha and can be re-attached by name.
 */
export function createTmuxProvider(settings: TmuxProviderSettings): AgentProvider {
  const { terminal, command } = settings;
  if (!terminal === !command) {
    throw new OrchaError('invalid_argument', 'a tmux provider needs either a command or a terminal agent');
  }
  /** How a run of `terminal` is driven: the prompt to type (none when re-attaching) and the policies. */
  const driving = (terminal: TerminalAgent, spec: AgentSpec, prompt: string | undefined) => ({
    readScreen: terminal.readScreen,
    prompt,
    trustedWorkspace: spec.trustedWorkspace ?? false,
    unknownScreenMs: settings.unknownScreenMs ?? 30_000,
    quietMs: 3_000,
  });
  const controllerFor =
    settings.controller ??
    ((executor: Executor) => createTmuxController({ executor, socketName: settings.socketName }));

  const provider: AgentProvider = {
    name: settings.name ?? 'tmux',
    interactivity: 'interactive',
    async start(spec): Promise<AgentRun> {
      const controller = controllerFor(spec.executor);
      const name = `orcha-${spec.sessionId}`;
      if (await controller.hasSession(name)) {
        // This session's run already lives: orcha (or the replica that led) died after starting it and
        // before recording its name. It is followed, never started a second time.
        const adopted = await provider.reattach!({ ...spec, attachName: name });
        if (adopted) return adopted;
      }
      const launch = terminal
        ? await terminal.launch(spec)
        : { command: command!(spec), env: spec.env ?? {}, cleanup: async () => {} };
      const envFile = await launchWithEnvFile(spec.executor, launch.command, launch.env).catch(
        async (error: unknown) => {
          await launch.cleanup().catch(() => {});
          throw error;
        },
      );
      const cleanup = async () => {
        await envFile.remove();
        await launch.cleanup();
      };
      try {
        await controller.newSession({
          name,
          cwd: spec.cwd,
          command: envFile.command,
          cols: settings.cols,
          rows: settings.rows,
        });
      } catch (error) {
        await cleanup().catch(() => {});
        throw error;
      }
      return createTmuxRun({
        controller,
        name,
        model: spec.model ?? null,
        fromOffset: 0,
        firstInput: !terminal && (settings.typePrompt ?? true) ? spec.prompt : undefined,
        terminal: terminal && driving(terminal, spec, spec.prompt),
        cleanup,
      });
    },
    async resume() {
      throw new OrchaError(
        'capability_unsupported',
        'a tmux session has no conversation to resume; re-attach to a live one by name instead',
      );
    },
    async reattach(spec): Promise<AgentRun | null> {
      const controller = controllerFor(spec.executor);
      const name = spec.attachName;
      if (!(await controller.hasSession(name))) return null;
      // Follow from the log's current end: what the program printed while nobody watched is summed up
      // by one picture of the screen instead of being replayed.
      const logEnd = await spec.executor.run('wc', ['-c', controller.logPath(name)]);
      const fromOffset = logEnd.code === 0 ? Number.parseInt(logEnd.stdout, 10) || 0 : 0;
      const [text, raw] = await Promise.all([
        controller.capturePane(name),
        controller.capturePane(name, { escapes: true }),
      ]).catch(() => ['', '']);
      return createTmuxRun({
        controller,
        name,
        model: spec.model ?? null,
        fromOffset,
        screen: text ? { text, raw } : undefined,
        terminal: terminal && driving(terminal, spec, undefined),
      });
    },
  };
  return provider;
}
