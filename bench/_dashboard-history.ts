// The dashboard with a long history, for `pnpm bench orch` (issue: the dashboard costs what is active):
//   dashboard_100k_p99_ms   GET /api/dashboard with 100,000 finished sessions in history and 100 active (goal < 10)
//   dashboard_100k_bytes    the size of that answer (goal < 200,000)
//   health_p99_ms           GET /api/health the same number of times: the floor this machine's load sets
// History is written straight into SQLite in large transactions (realistic rows, the store's own triggers keep
// its counts); the 100 active sessions are real: 25 objectives whose fake managers each spawn 3 fake workers.
import { createFakeProvider } from '@orcha/agent';
import { emptyGuardCounters, type OrchaEvent } from '@orcha/model';
import { createTempDir } from '@orcha/testkit';
import Database from 'better-sqlite3';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';

const finishedObjectives = 25_000;
const sessionsPerObjective = 4;
const activeObjectives = 25;
const requests = 300;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const round = (value: number) => Math.round(value * 100) / 100;
/** An id of the store's shape (`obj_` + 26 characters), unique per number. */
const idOf = (prefix: string, n: number) => `${prefix}_${n.toString(32).toUpperCase().padStart(26, '0')}`;

/** A finished session's guard counters, as the store keeps them (a constant: no quote in it). */
const counters = JSON.stringify(emptyGuardCounters);

function seedHistory(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const insertObjective = db.prepare(
    `INSERT INTO objectives (id, title, prompt, repo, base_branch, agent, status, summary, created_at, updated_at)
     VALUES (?, ?, ?, 'acme/web', 'main', 'fake', ?, ?, ?, ?)`,
  );
  const insertSession = db.prepare(
    `INSERT INTO sessions (id, objective_id, parent_id, role, agent, title, prompt, status, status_reason,
       depends_on, workspace_kind, interactivity, usage, counters, result, last_activity, message_count,
       created_at, updated_at, started_at, ended_at)
     VALUES (?, ?, ?, ?, 'fake', ?, ?, ?, ?, '[]', 'isolated', 'noninteractive', ?, '${counters}', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const usage = JSON.stringify({
    inputTokens: 182_340,
    outputTokens: 9_812,
    costUsd: 0.7342,
    modelCalls: 31,
  });
  const start = Date.now() - finishedObjectives * 60_000;
  const seed = db.transaction((from: number, to: number) => {
    for (let o = from; o < to; o++) {
      const at = start + o * 60_000;
      const objectiveId = idOf('obj', o);
      const status = o % 10 === 0 ? 'canceled' : 'done';
      insertObjective.run(
        objectiveId,
        `Objective ${o}: port the billing jobs to the new queue`,
        'a prompt of a few hundred characters '.repeat(10),
        status,
        status === 'done' ? 'Opened a pull request with the change and its tests.' : null,
        at,
        at + 50_000,
      );
      const managerId = idOf('ses', o * sessionsPerObjective);
      for (let s = 0; s < sessionsPerObjective; s++) {
        const manager = s === 0;
        insertSession.run(
          idOf('ses', o * sessionsPerObjective + s),
          objectiveId,
          manager ? null : managerId,
          manager ? 'manager' : 'worker',
          manager ? `Manager: objective ${o}` : `Worker ${s} of objective ${o}`,
          'a prompt of a few hundred characters '.repeat(10),
          status === 'done' ? 'completed' : 'canceled',
          status === 'done' ? null : 'canceled by the person',
          usage,
          'the result the agent reported when it finished its turn',
          'the last line of activity the agent wrote, about this long',
          57,
          at + s,
          at + 40_000,
          at + s + 100,
          at + 40_000,
        );
      }
    }
  });
  for (let from = 0; from < finishedObjectives; from += 5_000) seed(from, from + 5_000);
  db.close();
}

/** Runs the scenario and returns its two figures. */
export async function dashboardHistory(): Promise<Record<string, number>> {
  const dir = await createTempDir('orcha-bench-history-');
  const config = parseConfig(
    [
      '--port',
      '0',
      '--data-dir',
      dir.path,
      '--no-demo',
      '--max-concurrent',
      '200',
      '--schedule-interval',
      '10s',
    ],
    {},
  );
  // The first start creates and migrates the database; history goes in while the server is down.
  await (await startServer(config, { providers: { fake: createFakeProvider() } })).close();
  const seeding = performance.now();
  seedHistory(`${dir.path}/orcha.db`);
  const seededIn = performance.now() - seeding;

  const provider = createFakeProvider({
    script: async (agent) => {
      if (agent.spec.systemPrompt?.startsWith('You are the manager')) {
        for (let i = 0; i < sessionsPerObjective - 1; i++)
          await agent.callTool('spawn_session', { title: `w${i}`, prompt: 'work' });
      }
      await agent.hang();
    },
  });
  const server = await startServer(config, { providers: { fake: provider } });
  try {
    const { store } = server.orchestrator;
    const wanted = activeObjectives * sessionsPerObjective;
    let running = 0;
    const allRunning = new Promise<void>((resolve) => {
      const unsubscribe = store.subscribe((events: OrchaEvent[]) => {
        for (const event of events) {
          if (event.type === 'session-status-change' && event.to === 'running') running++;
        }
        if (running >= wanted) {
          unsubscribe();
          resolve();
        }
      });
    });
    for (let i = 0; i < activeObjectives; i++)
      await server.orchestrator.createObjective({ title: `active ${i}`, prompt: 'work', agent: 'fake' });
    await allRunning;

    let bytes = 0;
    const get = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/dashboard`);
      const body = await response.arrayBuffer();
      const elapsed = performance.now() - started;
      if (!response.ok) throw new Error(`GET /api/dashboard answered ${response.status}`);
      bytes = body.byteLength;
      return elapsed;
    };
    for (let i = 0; i < 30; i++) await get();
    const times: number[] = [];
    for (let i = 0; i < requests; i++) times.push(await get());
    // The same number of trivial requests: what this machine's load alone adds to a request's p99.
    const floor: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await (await fetch(`${server.url}/api/health`)).arrayBuffer();
      floor.push(performance.now() - started);
    }
    const summary = store.dashboardSummary();
    const figures = {
      dashboard_100k_p50_ms: round(percentile(times, 50)),
      dashboard_100k_p99_ms: round(percentile(times, 99)),
      dashboard_100k_bytes: bytes,
      health_p99_ms: round(percentile(floor, 99)),
    };
    console.log(
      `dashboard with ${finishedObjectives * sessionsPerObjective} finished sessions (seeded in ${Math.round(seededIn)} ms) and ${running} active: ` +
        `p50 ${figures.dashboard_100k_p50_ms} ms, p99 ${figures.dashboard_100k_p99_ms} ms, ${bytes} bytes ` +
        `(${summary.objectives.length} objectives, ${summary.sessions.length} sessions, ${requests} requests); ` +
        `GET /api/health p99 ${figures.health_p99_ms} ms on the same machine`,
    );
    return figures;
  } finally {
    await server.close();
    await dir.remove();
  }
}
