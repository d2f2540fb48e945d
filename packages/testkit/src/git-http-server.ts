import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; a repository `name` is at `${url}/${name}.git`. */
  url: string;
  /** The directory holding the bare repositories. */
  root: string;
  /** Creates a bare repository that accepts pushes, and returns its clone URL. */
  createRepo(name: string): Promise<string>;
  repoPath(name: string): string;
  stop(): Promise<void>;
}

/** Runs git asynchronously (never spawnSync here: the server process would deadlock serving itself). */
export function git(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`git ${args.join(' ')}: ${stderr.trim()}`)),
    );
  });
}

/**
 * Serves bare repositories over smart HTTP on 127.0.0.1 through `git http-backend` (CGI), so both the git
 * CLI and isomorphic-git can clone, fetch and push. A stand-in for a real git host. With `token`, every
 * request needs HTTP basic auth whose password is that token, as a private GitHub repository does.
 */
export async function startGitHttpServer(options: { token?: string } = {}): Promise<GitHttpServer> {
  const root = await mkdtemp(join(tmpdir(), 'orcha-git-'));
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (options.token) {
      const given = Buffer.from(
        (request.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      if (given.split(':').slice(1).join(':') !== options.token) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="orcha-test"' });
        response.end();
        return;
      }
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const child = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        REQUEST_METHOD: request.method ?? 'GET',
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        REMOTE_USER: 'orcha',
        REMOTE_ADDR: '127.0.0.1',
        HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
        GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    request.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else response.setHeader(name, value);
      }
      response.writeHead(status);
      response.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => response.end());
    child.once('error', () => {
      response.statusCode = 500;
      response.end();
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const repoPath = (name: string) => join(root, `${name}.git`);
  return {
    url,
    root,
    repoPath,
    async createRepo(name) {
      const path = repoPath(name);
      await mkdir(path, { recursive: true });
      await git(['init', '--bare', '--quiet', '--initial-branch=main', path]);
      await git(['config', 'http.receivepack', 'true'], { cwd: path });
      return `${url}/${name}.git`;
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
