import type { AgentProvider, AgentRun, AgentSpec } from '@orcha/agent';
import type { Executor } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { createTmuxController, type TmuxController } from '@orcha/tmux';
import { createTmuxRun } from './tmux-run.js';

export interface TmuxProviderSettings {
  /** The program to run for a session, e.g. `() => ['bash']` or `(spec) => ['claude', '--model', spec.model]`. */
  command: (spec: AgentSpec) => string[];
  /** The agent name sessions use (default `tmux`). */
  name?: string | undefined;
  /** tmux socket (`-L`) for the default controller. Ignored when `controller` is given. */
  socketName?: string | undefined;
  /** Builds the controller for a spec's executor (default: `createTmuxController` on `socketName`). */
  controller?: ((executor: Executor) => TmuxController) | undefined;
  /** Type the spec's prompt into the program once it has printed something (default true). */
  typePrompt?: boolean | undefined;
  cols?: number | undefined;
  rows?: number | undefined;
}

/**
 * Any terminal program as an interactive agent in an attachable tmux session named `orcha-<sessionId>`.
 * Its terminal output is the transcript (`output` events, ANSI stripped, raw kept); `send` types into it;
 * cancel kills the session; the run survives orcha and can be re-attached by name.
 */
export function createTmuxProvider(settings: TmuxProviderSettings): AgentProvider {
  const controllerFor =
    settings.controller ??
    ((executor: Executor) => createTmuxController({ executor, socketName: settings.socketName }));

  return {
    name: settings.name ?? 'tmux',
    interactivity: 'interactive',
    async start(spec): Promise<AgentRun> {
      const controller = controllerFor(spec.executor);
      const name = `orcha-${spec.sessionId}`;
      if (await controller.hasSession(name)) {
        throw new OrchaError('conflict', `tmux session ${name} already exists; re-attach to it instead`);
      }
      await controller.newSession({
        name,
        cwd: spec.cwd,
        command: settings.command(spec),
        env: spec.env,
        cols: settings.cols,
        rows: settings.rows,
      });
      return createTmuxRun({
        controller,
        name,
        model: spec.model ?? null,
        fromOffset: 0,
        firstInput: (settings.typePrompt ?? true) ? spec.prompt : undefined,
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
      });
    },
  };
}
