// `pnpm bench cli`: the `orcha` binary (built) against a real `orcha serve` whose store holds 1,000 sessions.
//   ls_1000_ms               `orcha ls --json` wall time, node start included (median of 10)
//   logs_follow_lag_p95_ms   a message stored (its `at`) → printed by `orcha logs SESSION -f --json`, p95
// For reading ls_1000_ms on a loaded machine: node_start_ms (`node -e ''`, median, run in turn with each
// `orcha ls`) and dashboard_ms (the same GET /api/dashboard over fetch from this process, median).
// The last line is one JSON object `{"bench":"cli",…}`.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createIdGenerator } from '@orcha/model';
import { createStore } from '@orcha/store';
import { ensureBuilt, repoRoot, startOrcha, tempDir } from '../apps/web/e2e/support/server.ts';

const objectives = 50;
const perObjective = 20;
const runs = 10;
const messages = 200;
const bin = join(repoRoot, 'apps', 'server', 'bin', 'orcha.mjs');

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const round = (value: number) => Math.round(value * 10) / 10;

/** 1,000 paused sessions in 50 active objectives, straight into the store (the scheduler leaves them be). */
function seed(dataDir: string) {
  const store = createStore({
    path: join(dataDir, 'orcha.db'),
    clock: Date.now,
    ids: createIdGenerator(Date.now, () => Math.floor(Math.random() * 32)),
  });
  for (let o = 0; o < objectives; o++) {
    const { objective, manager } = store.createObjective({
      title: `Objective ${o}`,
      prompt: 'p',
      agent: 'fake',
    });
    const ids = [manager.id];
    for (let w = 1; w < perObjective; w++)
      ids.push(
        store.createSession({
          objectiveId: objective.id,
          parentId: manager.id,
          role: 'worker',
          agent: 'fake',
          title: `Worker ${w} of objective ${o}`,
          prompt: 'p',
        }).id,
      );
    for (const id of ids) store.updateSessionStatus(id, 'paused', { reason: 'seeded' });
  }
  store.close();
}

await ensureBuilt();
const data = tempDir('orcha-bench-cli-');
seed(data.path);
const server = await startOrcha({ dataDir: data.path, args: ['--no-demo'] });
const env = { ...process.env, ORCHA_URL: server.url, NO_COLOR: '1' };
try {
  // `orcha ls --json` and `node -e ''` take turns, so both meet the same load.
  const times: number[] = [];
  const nodeStart: number[] = [];
  const dashboard: number[] = [];
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    spawnSync(process.execPath, ['-e', '']);
    nodeStart.push(performance.now() - started);
    started = performance.now();
    const ran = spawnSync(process.execPath, [bin, 'ls', '--json'], {
      env,
      encoding: 'utf8',
      maxBuffer: 64e6,
    });
    times.push(performance.now() - started);
    if (ran.status !== 0) throw new Error(`orcha ls failed: ${ran.stderr}`);
    const sessions = (JSON.parse(ran.stdout) as { summary: { sessions: unknown[] } }).summary.sessions.length;
    if (sessions < objectives * perObjective) throw new Error(`orcha ls listed ${sessions} sessions`);
    started = performance.now();
    await (await fetch(`${server.url}/api/dashboard`)).json();
    dashboard.push(performance.now() - started);
  }
  console.log(
    `orcha ls --json, ${objectives * perObjective} sessions: median ${round(percentile(times, 0.5))} ms (node start ${round(percentile(nodeStart, 0.5))} ms, GET /api/dashboard ${round(percentile(dashboard, 0.5))} ms)`,
  );

  // A live session: the demo manager waits for its workers, so it takes steering messages meanwhile.
  const created = (await (
    await fetch(`${server.url}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({ title: 'follow me', prompt: 'p', agent: 'fake' }),
    })
  ).json()) as { manager: { id: string } };
  const session = created.manager.id;
  const follower = spawn(process.execPath, [bin, 'logs', session, '-f', '--json'], { env });
  const lags: number[] = [];
  const texts = new Set<string>();
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  createInterface({ input: follower.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { at: number; text: string; kind: string };
    if (message.kind !== 'user' || !message.text.startsWith('bench ')) return;
    lags.push(Date.now() - message.at);
    texts.add(message.text);
    if (texts.size === messages) done();
  });
  // The follower is connected once it printed the transcript so far: wait for the manager's first line.
  await new Promise<void>((resolve) => follower.stdout.once('data', () => resolve()));
  for (let i = 0; i < messages; i++) {
    const response = await fetch(`${server.url}/api/sessions/${session}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: `bench ${i}` }),
    });
    if (response.status !== 202)
      throw new Error(`steer answered ${response.status}: ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await all;
  follower.kill();
  console.log(
    `orcha logs -f: ${messages} messages, lag p50 ${round(percentile(lags, 0.5))} ms, p95 ${round(percentile(lags, 0.95))} ms`,
  );
  console.log(
    JSON.stringify({
      bench: 'cli',
      ls_1000_ms: round(percentile(times, 0.5)),
      logs_follow_lag_p95_ms: round(percentile(lags, 0.95)),
      node_start_ms: round(percentile(nodeStart, 0.5)),
      dashboard_ms: round(percentile(dashboard, 0.5)),
    }),
  );
} finally {
  await server.stop();
  data.remove();
}
