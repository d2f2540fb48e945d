import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir, type LocalPostgres, startPostgres, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type OrchaProcess, startOrcha } from './orcha-process.js';
import { eventually } from './until.js';

// A real `orcha serve` keeping its state in a real PostgreSQL server (started here), with the offline
// demo's fake agents: an objective runs to done, and a restart after a crash finds it all.
let server: Awaited<ReturnType<typeof startPostgres>>;
let postgres: LocalPostgres;
let dir: TempDir;
let orcha: OrchaProcess | null = null;
/** 0 until the first start picks a free port; the restart after the crash takes the same one. */
let port = 0;
let database = '';

beforeAll(async () => {
  server = await startPostgres();
  if (!server.ok) return;
  postgres = server;
  database = await postgres.createDatabase();
  dir = await createTempDir('orcha-pg-');
}, 120_000);
afterAll(async () => {
  await orcha?.stop();
  if (server?.ok) await postgres.stop();
  await dir?.remove();
});

async function serve(): Promise<void> {
  const args = ['--port', String(port), '--data-dir', dir.path, '--no-demo', '--schedule-interval', '200ms'];
  // From source on a loaded machine: give it the time the heaviest whole-system tests give.
  orcha = await startOrcha(args, {
    env: { ...process.env, ORCHA_DATABASE_URL: database },
    timeoutMs: 120_000,
  });
  port = orcha.port;
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await fetch(`http://127.0.0.1:${port}${path}`, init)).json()) as T;
}

interface ObjectiveDetail {
  objective: { id: string; status: string };
  sessions: { role: string; status: string }[];
  questions: { id: string; status: string }[];
}

describe('orcha on PostgreSQL', () => {
  it('takes the database from --database or ORCHA_DATABASE_URL, and refuses what is not a PostgreSQL URL', () => {
    const url = 'postgres://orcha@db.internal:5432/orcha';
    expect(parseConfig(['--database', url], {}).database).toBe(url);
    expect(parseConfig([], { ORCHA_DATABASE_URL: url }).database).toBe(url);
    expect(parseConfig([], {}).database).toBeUndefined();
    expect(() => parseConfig(['--database', 'mysql://x/y'], {})).toThrow(/a PostgreSQL URL/);
  });

  it('runs an objective with fake agents to done, every change in PostgreSQL, and keeps it across a crash', async (context) => {
    if (!server.ok) context.skip(`PostgreSQL could not start: ${server.reason}`);
    await serve();
    expect(orcha!.stderr()).toContain(`state in ${database}`);
    // A second serve on the same database is a replica that follows: the first one leads.
    const second = await startOrcha(['--port', '0', '--data-dir', dir.path, '--no-demo'], {
      env: { ...process.env, ORCHA_DATABASE_URL: database },
      timeoutMs: 120_000,
    });
    const replicas = await api<{ replicas: { address: string; leader: boolean }[]; leaseMs: number }>(
      '/api/replicas',
    );
    expect(replicas.leaseMs).toBe(3_000);
    expect(replicas.replicas.map((r) => [r.address, r.leader])).toEqual([
      [`http://127.0.0.1:${port}`, true],
      [second.url, false],
    ]);
    // Leaving on purpose, it takes its row with it.
    await second.stop();
    expect((await api<{ replicas: unknown[] }>('/api/replicas')).replicas).toHaveLength(1);
    const created = await api<{ objective: { id: string } }>('/api/objectives', {
      method: 'POST',
      body: JSON.stringify({ title: 'ship it on postgres', prompt: 'make the change', agent: 'fake' }),
    });
    const id = created.objective.id;
    // The rollout worker asks the person; the answer lets the objective finish.
    const question = await eventually(async () => {
      const detail = await api<ObjectiveDetail>(`/api/objectives/${id}`);
      return detail.questions.find((q) => q.status === 'open');
    }, 60_000);
    await api(`/api/questions/${question.id}/answer`, {
      method: 'POST',
      body: JSON.stringify({ answer: 'feature flag' }),
    });
    const done = await eventually(async () => {
      const detail = await api<ObjectiveDetail>(`/api/objectives/${id}`);
      return detail.objective.status === 'done' ? detail : null;
    }, 60_000);
    expect(done.sessions.filter((s) => s.role === 'worker').map((s) => s.status)).toEqual([
      'completed',
      'completed',
      'completed',
    ]);

    // The state is PostgreSQL's: no SQLite file was made, and the rows are there.
    expect(existsSync(join(dir.path, 'orcha.db'))).toBe(false);
    const name = new URL(database).pathname.slice(1);
    expect((await postgres.psql(name, `SELECT status FROM objectives WHERE id = '${id}'`)).trim()).toBe(
      'done',
    );
    const events = Number(await postgres.psql(name, 'SELECT count(*) FROM events'));
    expect(events).toBeGreaterThan(20);

    // A crash: the serve's hold on the database ends with its connection, so the restart gets it at once.
    const exited = new Promise((resolve) => orcha!.child.once('exit', resolve));
    orcha!.child.kill('SIGKILL');
    await exited;
    await serve();
    const again = await api<ObjectiveDetail>(`/api/objectives/${id}`);
    expect(again.objective.status).toBe('done');
    expect(again.sessions).toHaveLength(4);
  }, 420_000);
});
