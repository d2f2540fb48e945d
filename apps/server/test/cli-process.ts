// The `orcha` client commands as real processes, run from source: what the CLI tests drive.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./orcha-from-source.ts', import.meta.url));

/** The command line that runs `orcha` from source (for a shell, e.g. inside a tmux pane). */
export const orchaCommand = [process.execPath, '--conditions=@orcha/source', '--import', 'tsx', entry];

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Over this process's environment; NO_COLOR is set unless given. */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (default: nothing). */
  input?: string;
}

function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const [command, ...rest] = orchaCommand;
  return spawn(command!, [...rest, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs `orcha <args>` to its end. */
export function runOrcha(args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = start(args, options.env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.end(options.input ?? '');
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningOrcha {
  /** The lines it printed on stdout so far. */
  lines: string[];
  /** Resolves with the first line that `predicate` accepts, as soon as it is printed. */
  line(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Ends it (SIGTERM) and resolves once it exited. */
  stop(): Promise<void>;
}

/** Starts a long-running `orcha <args>` (`watch`, `logs -f`) and reads its output line by line. */
export function spawnOrcha(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningOrcha {
  const child = start(args, env);
  child.stdin.end();
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    lines,
    line(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(look);
          reject(new Error(`orcha ${args.join(' ')} printed no such line; stderr: ${stderr}`));
        }, timeoutMs);
        const look = () => {
          const found = lines.find(predicate);
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(look);
          resolve(found);
        };
        waiters.add(look);
        void exited.then(() => {
          if (!waiters.has(look)) return;
          look();
          if (!waiters.has(look)) return;
          clearTimeout(timer);
          waiters.delete(look);
          reject(new Error(`orcha ${args.join(' ')} ended (${child.exitCode}): ${stderr}`));
        });
        look();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
