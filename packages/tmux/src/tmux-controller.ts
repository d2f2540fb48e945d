import type { Executor, RunResult } from '@orcha/exec';
import { quoteShellArgs } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { followPaneLog, type PaneFiles, readPaneLog } from './pane-log.js';
import { type SendTextOptions, type SendTextResult, sendTextConfirmed } from './send-text.js';

export interface TmuxControllerOptions {
  executor: Executor;
  /** `tmux -L <socketName>`: a server of our own, so tests (and orcha) never touch the user's sessions. */
  socketName?: string | undefined;
  tmuxPath?: string | undefined;
  /** Directory (on the executor's machine) for the pipe-pane logs. Default `/tmp/orcha-tmux-<user>`. */
  logDir?: string | undefined;
}

export interface NewSessionOptions {
  /** Letters, digits, `_` and `-` only (tmux gives `:` and `.` meanings). orcha uses `orcha-<sessionId>`. */
  name: string;
  cwd: string;
  /** The program and its arguments; run as-is (quoted for the pane's shell, which waits for it). */
  command: readonly string[];
  env?: Record<string, string> | undefined;
  cols?: number | undefined;
  rows?: number | undefined;
}

export interface TmuxSession {
  name: string;
  /** The pid of the pane's process (the shell that runs the program and records its exit status). */
  panePid: number;
  /** The pipe-pane log: every byte the program wrote to its terminal since the session began. */
  logPath: string;
}

export interface PaneStatus {
  panePid: number;
  /** The program has exited; the pane stays (remain-on-exit) until the session is killed. */
  dead: boolean;
  exitCode: number | null;
  /** The signal number that ended the program, when one did. */
  signal: number | null;
}

export interface PaneChunk {
  data: Uint8Array;
  /** The byte offset just after `data`: pass it back to continue. */
  nextOffset: number;
}

/** tmux driven through an Executor: every command is an argument array, never a shell string. */
export interface TmuxController {
  readonly socketName: string | undefined;
  /** Starts a detached session running `command`, with its output piped to `logPath`. */
  newSession(options: NewSessionOptions): Promise<TmuxSession>;
  hasSession(name: string): Promise<boolean>;
  /** Kills the session (and so its program); a session already gone is not an error. */
  killSession(name: string, options?: { removeLog?: boolean }): Promise<void>;
  /** Names of the sessions starting with `prefix`; none when no server runs. */
  listSessions(prefix?: string): Promise<string[]>;
  /** `null` when the session does not exist. */
  paneStatus(name: string): Promise<PaneStatus | null>;
  /**
   * Types `text` and presses Enter, confirming delivery: waits until the program has echoed the text,
   * then sends Enter on its own and waits until the pane shows it was taken (retrying a lost Enter).
   * Multi-line text goes through a paste buffer.
   */
  sendText(name: string, text: string, options?: SendTextOptions): Promise<SendTextResult>;
  /** Sends tmux key names (`C-c`, `Escape`, `Up`…), not literal text. */
  sendKeys(name: string, keys: readonly string[]): Promise<void>;
  /** The visible pane as text; with `escapes`, colours and attributes kept as escape sequences. */
  capturePane(name: string, options?: { escapes?: boolean; historyLines?: number }): Promise<string>;
  /** Reads the pane log from a byte offset to its current end. */
  readPane(name: string, fromOffset?: number): Promise<PaneChunk>;
  /** Follows the pane log from a byte offset until the pane's program exits (or `signal` aborts). */
  followPane(name: string, options?: { fromOffset?: number; signal?: AbortSignal }): AsyncIterable<PaneChunk>;
  logPath(name: string): string;
  /** What a person runs to attach: `tmux -L <socket> attach -t <name>`, behind the target's ssh prefix. */
  attachCommand(name: string): string;
  /** Stops the whole tmux server of this socket (tests, shutdown of a private server). */
  killServer(): Promise<void>;
}

const validName = /^[A-Za-z0-9_-]{1,200}$/;
const missingServer = /no server running|error connecting to|No such file or directory/;
const missingTarget = /can't find (session|window|pane)/;

export function createTmuxController(options: TmuxControllerOptions): TmuxController {
  const { executor, socketName } = options;
  const tmuxPath = options.tmuxPath ?? 'tmux';
  const logDir = options.logDir ?? `/tmp/orcha-tmux-${executor.describe().user}`;
  const baseArgs = socketName ? ['-L', socketName] : [];
  let logDirReady: Promise<void> | undefined;

  const run = (args: readonly string[], input?: string): Promise<RunResult> =>
    executor.run(tmuxPath, [...baseArgs, ...args], { input, timeoutMs: 15_000 });

  /** Runs a tmux command that must succeed; a missing session becomes `not_found`. */
  const must = async (args: readonly string[], input?: string): Promise<string> => {
    const result = await run(args, input);
    if (result.code === 0) return result.stdout;
    const message = result.stderr.trim() || `tmux ${args[0]} exited with ${result.code}`;
    if (missingTarget.test(message) || missingServer.test(message))
      throw new OrchaError('not_found', message);
    throw new OrchaError('unavailable', `tmux ${args[0]}: ${message}`);
  };

  const checkName = (name: string) => {
    if (!validName.test(name)) {
      throw new OrchaError(
        'invalid_argument',
        `invalid tmux session name (letters, digits, _ and - only): ${name}`,
      );
    }
  };
  const session = (name: string) => {
    checkName(name);
    return `=${name}`;
  };
  const pane = (name: string) => `${session(name)}:`;
  const paneFiles = (name: string): PaneFiles => {
    checkName(name);
    return { log: `${logDir}/${name}.log`, exit: `${logDir}/${name}.exit`, reader: `${logDir}/${name}.pipe` };
  };
  const logPath = (name: string) => paneFiles(name).log;

  const paneStatus = async (name: string): Promise<PaneStatus | null> => {
    const result = await run([
      'list-panes',
      '-t',
      session(name),
      '-F',
      '#{pane_pid} #{pane_dead} #{pane_dead_status} #{pane_dead_signal}',
    ]);
    if (result.code !== 0) return null;
    const [pid, dead, status, signal] = (result.stdout.split('\n')[0] ?? '').split(' ');
    if (dead !== '1') return { panePid: Number(pid), dead: false, exitCode: null, signal: null };
    // tmux 3.3 sometimes loses the status of a pane whose terminal closed before the child was reaped;
    // the pane's shell records it for us.
    const recorded = await executor
      .files(logDir)
      .read(`${name}.exit`)
      .then((text) => Number.parseInt(text, 10))
      .catch(() => Number.NaN);
    const code = Number.isNaN(recorded) ? (status ? Number(status) : null) : recorded;
    return {
      panePid: Number(pid),
      dead: true,
      exitCode: code !== null && code > 128 ? null : code,
      signal: code !== null && code > 128 ? code - 128 : signal ? Number(signal) : null,
    };
  };

  const controller: TmuxController = {
    socketName,
    async newSession(spec) {
      const name = session(spec.name);
      if (!spec.command.length) throw new OrchaError('invalid_argument', 'a tmux session needs a command');
      const cwdExists = await executor.files(spec.cwd).exists('.');
      if (!cwdExists) throw new OrchaError('not_found', `working directory does not exist: ${spec.cwd}`);
      logDirReady ??= executor.files(logDir).mkdir('.');
      await logDirReady;
      const files = paneFiles(spec.name);
      // The log exists, empty, before the session does: a follow begun at once has a file to follow
      // (tmux starts the pipe's command a moment later). What an earlier session of the name left goes.
      const reset = await executor.run('sh', [
        '-c',
        ': > "$1" && rm -f -- "$2" "$3"',
        'orcha-new-pane',
        files.log,
        files.exit,
        files.reader,
      ]);
      if (reset.code !== 0)
        throw new OrchaError('unavailable', `preparing ${files.log}: ${reset.stderr.trim()}`);
      const envArgs = Object.entries(spec.env ?? {}).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
      // One tmux invocation: the session, remain-on-exit (so the exit status can be read) and the pipe are
      // in place before the program's first output is read, so nothing is missed.
      const stdout = await must([
        'new-session',
        '-d',
        '-s',
        spec.name,
        '-c',
        spec.cwd,
        '-x',
        String(spec.cols ?? 200),
        '-y',
        String(spec.rows ?? 50),
        '-P',
        '-F',
        '#{pane_pid}',
        ...envArgs,
        // The pane's shell waits for the program and records its exit status next to the log.
        `${quoteShellArgs(spec.command)}; echo $? > ${quoteShellArgs([files.exit])}`,
        ';',
        'set-option',
        '-w',
        '-t',
        `${name}:`,
        'remain-on-exit',
        'on',
        ';',
        // The pipe's reader records its pid: a follow's final read waits for it to have written all.
        'pipe-pane',
        '-t',
        `${name}:`,
        `echo $$ > ${quoteShellArgs([files.reader])}; exec cat >> ${quoteShellArgs([files.log])}`,
      ]);
      return { name: spec.name, panePid: Number(stdout.trim()), logPath: files.log };
    },
    async hasSession(name) {
      return (await run(['has-session', '-t', session(name)])).code === 0;
    },
    async killSession(name, killOptions) {
      const result = await run(['kill-session', '-t', session(name)]);
      if (result.code !== 0 && !missingTarget.test(result.stderr) && !missingServer.test(result.stderr)) {
        throw new OrchaError('unavailable', `tmux kill-session: ${result.stderr.trim()}`);
      }
      if (killOptions?.removeLog) {
        for (const suffix of ['log', 'exit', 'pipe'])
          await executor.files(logDir).remove(`${name}.${suffix}`);
      }
    },
    async listSessions(prefix = '') {
      const result = await run(['list-sessions', '-F', '#{session_name}']);
      if (result.code !== 0) {
        if (missingServer.test(result.stderr)) return [];
        throw new OrchaError('unavailable', `tmux list-sessions: ${result.stderr.trim()}`);
      }
      return result.stdout.split('\n').filter((line) => line !== '' && line.startsWith(prefix));
    },
    paneStatus,
    sendText(name, text, sendOptions) {
      return sendTextConfirmed({ must, target: pane(name), bufferName: `orcha-${name}` }, text, sendOptions);
    },
    async sendKeys(name, keys) {
      await must(['send-keys', '-t', pane(name), ...keys]);
    },
    async capturePane(name, captureOptions = {}) {
      const args = ['capture-pane', '-p', '-t', pane(name)];
      if (captureOptions.escapes) args.push('-e');
      if (captureOptions.historyLines) args.push('-S', String(-captureOptions.historyLines));
      return must(args);
    },
    readPane(name, fromOffset = 0) {
      return readPaneLog(executor, logPath(name), fromOffset);
    },
    followPane(name, followOptions = {}) {
      return followPaneLog(executor, paneFiles(name), () => paneStatus(name), followOptions);
    },
    logPath,
    attachCommand(name) {
      checkName(name);
      const command = quoteShellArgs([tmuxPath, ...baseArgs, 'attach', '-t', name]);
      const ssh = executor.describe().sshCommand;
      return ssh ? `${ssh} ${command}` : command;
    },
    async killServer() {
      const result = await run(['kill-server']);
      if (result.code !== 0 && !missingServer.test(result.stderr)) {
        throw new OrchaError('unavailable', `tmux kill-server: ${result.stderr.trim()}`);
      }
    },
  };
  return controller;
}
