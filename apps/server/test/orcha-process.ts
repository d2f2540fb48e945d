// `orcha serve` as a real process, run from source: what tests use to kill it, restart it on the same data
// dir and read what it printed.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./orcha-from-source.ts', import.meta.url));

export interface OrchaProcess {
  child: ChildProcess;
  /** The port it serves on, as it printed it: start it with `--port 0` and it picks a free one itself. */
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** What the process printed so far on stdout (the login link) and stderr (the log). */
  stdout(): string;
  stderr(): string;
  /** SIGTERM unless it already ended; resolves once it exited. */
  stop(): Promise<void>;
}

export interface StartOrchaOptions {
  env?: NodeJS.ProcessEnv;
  /** Ready once it logged that it serves and this holds on what it printed (default: nothing more). */
  ready?: (output: { stdout: string; stderr: string }) => boolean;
  /** Starting from source compiles it first, which is slow on a loaded machine. Default 60 s. */
  timeoutMs?: number;
}

/**
 * The port in orcha's ` serving http://HOST:PORT` line, once it printed it. A port probed free and passed
 * to orcha could be taken by another process before orcha binds it; `--port 0` and this line cannot.
 */
function servedPort(log: string): number | null {
  const port = / serving http:\/\/(?:\[[^\]]*\]|[^\s:/]+):(\d+)/.exec(log)?.[1];
  return port ? Number(port) : null;
}

/** Runs `orcha serve <args>` and resolves once it serves; rejects with what it printed if it ends first. */
export function startOrcha(args: string[], options: StartOrchaOptions = {}): Promise<OrchaProcess> {
  const { env = process.env, ready = () => true, timeoutMs = 60_000 } = options;
  const child = spawn(
    process.execPath,
    ['--conditions=@orcha/source', '--import', 'tsx', entry, 'serve', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<OrchaProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`orcha did not serve within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const check = () => {
      const port = servedPort(stderr);
      if (port === null || !ready({ stdout, stderr })) return;
      clearTimeout(timer);
      const url = `http://127.0.0.1:${port}`;
      resolve({ child, port, url, stdout: () => stdout, stderr: () => stderr, stop });
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      check();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`orcha exited (${code}) before serving:\n${stderr}`));
    });
  });
}

export interface LaunchedOrcha {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the port it serves on once it logged that it serves; rejects if it exits first. */
  serving: Promise<number>;
  /** Resolves when it exits, however it ends (a crash included). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `orcha serve <args>` without waiting: for tests where it may end (be killed) before or while it
 * serves. The caller ends it (`child.kill`) unless it ends by itself.
 */
export function launchOrcha(args: string[], env: NodeJS.ProcessEnv = process.env): LaunchedOrcha {
  const child = spawn(
    process.execPath,
    ['--conditions=@orcha/source', '--import', 'tsx', entry, 'serve', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const serving = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const port = servedPort(stderr);
      if (port !== null) resolve(port);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`orcha exited (${code ?? signal}) before serving:\n${stderr}`)),
    );
  });
  serving.catch(() => {}); // a run killed before it serves is expected by some callers
  return { child, stdout: () => stdout, stderr: () => stderr, serving, exited };
}
