// `orcha serve` as a real process, run from source: what tests use to kill it, restart it on the same data
// dir and read what it printed.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./orcha-from-source.ts', import.meta.url));

export interface OrchaProcess {
  child: ChildProcess;
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

/** A port free on loopback now (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
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
  const orcha: OrchaProcess = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise<OrchaProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void orcha.stop();
      reject(new Error(`orcha did not serve within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const check = () => {
      if (!stderr.includes(' serving http://') || !ready({ stdout, stderr })) return;
      clearTimeout(timer);
      resolve(orcha);
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
      const port = / serving http:\/\/(?:\[[^\]]*\]|[^\s:/]+):(\d+)/.exec(stderr)?.[1];
      if (port) resolve(Number(port));
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`orcha exited (${code ?? signal}) before serving:\n${stderr}`)),
    );
  });
  serving.catch(() => {}); // a run killed before it serves is expected by some callers
  return { child, stdout: () => stdout, stderr: () => stderr, serving, exited };
}
