/**
 * The Executor port: where commands run. The local executor runs them on this machine; the SSH executor
 * (@orcha/exec-ssh) runs them on a target over a pooled connection. Everything that touches a target's
 * processes or files — agents, tmux, git checkouts — goes through this port, so it works on either.
 *
 * Arguments are always arrays, never shell strings. When a remote side needs one command line, build it
 * with `quoteShellArgs`.
 */
export interface Executor {
  /** Where this executor runs, for attach commands and the dashboard. */
  describe(): ExecutorDescription;

  /**
   * Runs a command to completion and collects its output (bounded by `maxOutputBytes`). Resolves with the
   * exit code — a non-zero exit is not an error. Rejects with `OrchaError('not_found')` for a missing
   * binary or cwd, `OrchaError('unavailable', …{ timedOut: true })` on timeout (the process group is
   * killed first), and an `AbortError`-named `OrchaError('unavailable')` when `signal` aborts.
   */
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;

  /**
   * Starts a streaming process in its own process group. With `pty`, it gets a pseudo-terminal and its
   * output arrives on `stdout` (stderr is merged by the terminal).
   */
  spawn(command: string, args: readonly string[], options?: SpawnOptions): Promise<ProcessHandle>;

  /**
   * Executors that follow files without a process or channel per file (SSH: every follow of a target
   * shares one channel) only. Yields the bytes of `path` from `fromOffset` as they are written, until
   * `until` holds — the process `pid` (on the executor's machine) is gone, a zombie counting as gone, or
   * the file `file` exists — and the file was read to its end after that; a file not there yet is waited
   * for. Each byte once, in order; nothing is read far ahead of a slow reader. The iteration throws
   * `OrchaError('unavailable')` when the machine cannot be reached (follow on from the last offset once it
   * answers), and ends early when `signal` aborts or the reader stops.
   */
  followFile?(path: string, options: FollowFileOptions): AsyncIterable<Uint8Array>;

  /** Small file operations confined to `root` (a path outside it is refused with `forbidden`). */
  files(root: string): FileOperations;

  /**
   * Executors that detach processes (`SpawnOptions.detach`) only: ends every detached process group whose
   * spool lies below `dir` (TERM, then KILL a second later) and removes those spools; resolves with how many
   * were still running. For runs that outlived the orcha, or the handle, that started them.
   */
  sweepDetached?(dir: string): Promise<number>;

  /**
   * Executors that check the machine's host key (SSH) only: the key seen on the latest connection attempt
   * and its verdict; null before any attempt.
   */
  hostKey?(): SeenHostKey | null;

  /**
   * Executors that check host keys only: trusts the key a refused connection presented, in place of any
   * earlier key of that host, and returns the known_hosts line. An explicit action a person takes after
   * comparing fingerprints.
   */
  trustPresentedHostKey?(): Promise<string>;
}

/** A host key an executor saw, and how it compared with the keys orcha trusts. */
export interface SeenHostKey {
  keyType: string;
  fingerprint: string;
  status: 'trusted' | 'unknown' | 'changed';
}

export interface ExecutorDescription {
  kind: 'local' | 'ssh';
  host: string;
  user: string;
  /** For SSH targets: the prefix a person runs to reach the machine, e.g. `ssh -t -p 2222 bot@gpu-box`. */
  sshCommand?: string | undefined;
}

export interface RunOptions {
  cwd?: string | undefined;
  /** Added to (not replacing) the executor's environment. */
  env?: Record<string, string> | undefined;
  /** Written to stdin, which is then closed. Without it, stdin is closed at once. */
  input?: string | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Output beyond this is dropped (and `truncated` set). Default 10 MiB per stream. */
  maxOutputBytes?: number | undefined;
}

export interface RunResult {
  /** The exit code; when a signal ended the process, 128 + the signal's number (as shells report it). */
  code: number;
  /** The signal that ended the process, if one did. */
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export interface SpawnOptions {
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
  /** Give the process a pseudo-terminal of this size. */
  pty?: { cols: number; rows: number } | undefined;
  /** Grace period between TERM and KILL when the handle is killed. Default 2000 ms. */
  killGraceMs?: number | undefined;
  /**
   * Executors whose processes hang on a connection (SSH) only; others run the process as usual. Runs it
   * detached from the connection, in a process group of its own, its output spooled to files in a new
   * directory below `dir` on the executor's machine and its exit status written there: a dropped connection
   * does not end it, and the handle reads on from the last byte it had once the machine answers again
   * (nothing lost or doubled). The handle gives up after `reconnectWaitMs` (default ten minutes) without an
   * answer: its streams end and `wait` resolves with a null code and signal. Not with `pty`.
   */
  detach?: { dir: string; reconnectWaitMs?: number | undefined } | undefined;
}

export interface FollowFileOptions {
  /** The byte to start at (default 0). */
  fromOffset?: number | undefined;
  /** When the writer is done: its process is gone, or a file it writes last exists (whichever first). */
  until: { pid?: number | undefined; file?: string | undefined };
  signal?: AbortSignal | undefined;
}

export interface ProcessHandle {
  /** The process id (of the group leader) where the executor knows it. */
  readonly pid: number | undefined;
  /**
   * Output chunks as they arrive; ends when the stream closes. Not buffered beyond what is unread: an
   * unread stream applies backpressure, so read both (or the process may block on a full pipe).
   */
  readonly stdout: AsyncIterable<Uint8Array>;
  readonly stderr: AsyncIterable<Uint8Array>;
  write(data: string | Uint8Array): Promise<void>;
  /** Ends the input. On a pseudo-terminal, which has no separate end, this sends EOF (Ctrl-D). */
  closeStdin(): Promise<void>;
  /** Resolves once the process has exited and its output streams have ended. */
  wait(): Promise<ExitStatus>;
  /** Kills the whole process group: TERM, then KILL after the grace period. Resolves when it is gone. */
  kill(): Promise<ExitStatus>;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface FileOperations {
  readonly root: string;
  read(path: string): Promise<string>;
  write(path: string, content: string, options?: { mode?: number }): Promise<void>;
  mkdir(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  remove(path: string): Promise<void>;
}
