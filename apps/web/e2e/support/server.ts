import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = join(repoRoot, 'apps', 'server', 'bin', 'orcha.mjs');

/**
 * Builds what is missing: the whole workspace (`pnpm build`) when the server is not built, only this
 * dashboard when just its `dist/` is missing.
 */
export async function ensureBuilt(): Promise<void> {
  const serverBuilt = existsSync(join(repoRoot, 'apps', 'server', 'dist', 'main.js'));
  const webBuilt = existsSync(join(repoRoot, 'apps', 'web', 'dist', 'index.html'));
  if (serverBuilt && webBuilt) return;
  await run('pnpm', serverBuilt ? ['--filter', '@orcha/web', 'build'] : ['build']);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-4000)}`)),
    );
  });
}

/** A port free on loopback now: for a port that must refuse (orcha itself picks its own with `--port 0`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface OrchaServer {
  url: string;
  port: number;
  dataDir: string;
  /** Everything the process printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `orcha serve` on a data dir and resolves once it logged that it serves, with the port it printed:
 * on port 0 (the default) it picks a free one itself, so no other process can take it first.
 */
export async function startOrcha(options: {
  port?: number;
  dataDir: string;
  args?: string[];
}): Promise<OrchaServer> {
  const args = [
    bin,
    'serve',
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    options.dataDir,
    ...(options.args ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`orcha did not serve within 30 s:\n${output}`));
    }, 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const served = / serving http:\/\/[^\s]*:(\d+)/.exec(output)?.[1];
      if (!served) return;
      clearTimeout(timer);
      resolve(Number(served));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`orcha exited (${child.exitCode ?? child.signalCode}) before serving:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    dataDir: options.dataDir,
    log: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        // Its process group includes agent processes it started.
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** JSON over the server's API, for arranging a scenario and checking what the page shows against it. */
export async function apiGet<T>(server: OrchaServer, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function apiPost<T>(server: OrchaServer, path: string, body: unknown = {}): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
