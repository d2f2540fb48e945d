import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A real PostgreSQL server of this test run, on a loopback port, its data in a temp dir. */
export interface LocalPostgres {
  ok: true;
  /** The URL of the server's `postgres` database. */
  url: string;
  port: number;
  /** A fresh, empty database on this server; answers its URL. */
  createDatabase(): Promise<string>;
  /** Runs SQL through `psql` (for checks the store does not expose), answering its unaligned output. */
  psql(database: string, sql: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why no server could start: the tests that need one skip with this reason. */
export interface NoPostgres {
  ok: false;
  reason: string;
}

/** Where Debian's `postgresql` package puts the server: `/usr/lib/postgresql/<major>/bin`, newest first. */
async function findBinaries(): Promise<string | null> {
  if (process.env.ORCHA_PG_BIN) return process.env.ORCHA_PG_BIN;
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  const newest = versions.filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a))[0];
  return newest ? `/usr/lib/postgresql/${newest}/bin` : null;
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The prefix every server command runs under: `setpriv`, which execs (so the server is our child and a
 * signal reaches it) and asks the kernel to stop the server (SIGINT: fast shutdown) when we die, even by
 * SIGKILL. `initdb` and `postgres` refuse to run as root: as root they also run as `nobody`, in a data dir
 * handed to that user.
 */
async function prefix(dir: string): Promise<string[]> {
  const command = ['setpriv', '--pdeathsig', 'SIGINT'];
  if (process.getuid?.() !== 0) return command;
  const uid = Number((await run('id', ['-u', 'nobody'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'nobody'])).stdout.trim());
  await chown(dir, uid, gid);
  return [...command, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
}

/** Starts the server and resolves once it logs that it accepts connections (or rejects with its log). */
function startServer(command: string[], log: { text: string }): Promise<ChildProcess> {
  const server = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    server.stderr?.on('data', (chunk) => {
      log.text += String(chunk);
      if (log.text.includes('ready to accept connections')) resolve(server);
    });
    server.once('exit', (code) => reject(new Error(`postgres exited ${code}: ${log.text.slice(-2_000)}`)));
    server.once('error', reject);
  });
}

/**
 * Starts a throwaway PostgreSQL server (initdb in a temp dir, fsync off, C locale, trust auth on loopback).
 * Answers `{ ok: false, reason }` when none can start here — unless `ORCHA_REQUIRE_POSTGRES` is set (CI),
 * where that is an error.
 */
export async function startPostgres(): Promise<LocalPostgres | NoPostgres> {
  const started = await start().catch((error: Error) => ({ ok: false as const, reason: error.message }));
  if (!started.ok && process.env.ORCHA_REQUIRE_POSTGRES)
    throw new Error(`PostgreSQL is required here but did not start: ${started.reason}`);
  return started;
}

async function start(): Promise<LocalPostgres | NoPostgres> {
  const bin = await findBinaries();
  if (!bin) return { ok: false, reason: 'no PostgreSQL server installed (apt-get install postgresql)' };
  // As root, under /tmp itself: `nobody` must be able to reach the data dir, which a private TMPDIR may not allow.
  const dir = await mkdtemp(join(process.getuid?.() === 0 ? '/tmp' : tmpdir(), 'orcha-pg-'));
  try {
    const as = await prefix(dir);
    const data = join(dir, 'data');
    await run(as[0]!, [
      ...as.slice(1),
      `${bin}/initdb`,
      '-D',
      data,
      '-U',
      'orcha',
      '-A',
      'trust',
      '--locale=C',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    let server: ChildProcess | null = null;
    let port = 0;
    const log = { text: '' };
    for (let attempt = 0; !server; attempt++) {
      port = await freeTcpPort();
      const command = [
        ...as,
        `${bin}/postgres`,
        '-D',
        data,
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ];
      log.text = '';
      server = await startServer(command, log).catch((error: Error) => {
        // Another process took the port between our probe and the server's bind: try another.
        if (attempt < 3 && log.text.includes('could not bind')) return null;
        throw error;
      });
    }
    const live = server;
    const base = `postgres://orcha@127.0.0.1:${port}`;
    const psql = async (database: string, sql: string): Promise<string> =>
      (
        await run(`${bin}/psql`, [
          '-X',
          '-A',
          '-t',
          '-v',
          'ON_ERROR_STOP=1',
          '-d',
          `${base}/${database}`,
          '-c',
          sql,
        ])
      ).stdout;
    let databases = 0;
    return {
      ok: true,
      url: `${base}/postgres`,
      port,
      async createDatabase() {
        const name = `orcha_${++databases}`;
        await psql('postgres', `CREATE DATABASE ${name}`);
        return `${base}/${name}`;
      },
      psql,
      async stop() {
        if (live.exitCode === null) {
          const exited = new Promise((resolve) => live.once('exit', resolve));
          live.kill('SIGINT');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
