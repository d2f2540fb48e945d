// Benchmark `orch`: the orchestrator and its API with fake agents, in one process.
//   objective_to_running_p99_ms  POST /api/objectives → its manager `running` (goal < 50 ms: the wake hook)
//   sse_fanout_p99_ms            one stored event → received by each of 100 SSE clients (goal < 20 ms)
//   sessions_500_rss_mb          server RSS with 500 concurrent fake sessions (goal < 1024)
//   sessions_500_completed       how many of them completed (goal 500)
//   objectives_200_cap8_s        200 objectives (manager + 3 workers) at once on --max-concurrent 8
//   objectives_200_ideal_s       the same agents' busy time packed into 8 slots (goal: cap8 ≤ 1.3 × ideal)
//   dashboard_100k_p99_ms, dashboard_100k_bytes: see _dashboard-history.ts (goals < 10 ms, < 200 KB)
// The last line is one JSON object `{"bench":"orch",…}`.
import { createFakeProvider } from '@orcha/agent';
import type { OrchaEvent, SessionStatus } from '@orcha/model';
import { createTempDir } from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';
import { dashboardHistory } from './_dashboard-history.js';
import { packing } from './_orch-packing.js';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const round = (value: number) => Math.round(value * 100) / 100;
const isManager = (systemPrompt: string | undefined) =>
  systemPrompt?.startsWith('You are the manager') ?? false;

const workers = 500;
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});

const provider = createFakeProvider({
  script: async (agent) => {
    if (!isManager(agent.spec.systemPrompt)) {
      await Promise.race([released, agent.hang()]);
      return 'done';
    }
    if (agent.prompt.startsWith('fan out')) {
      await Promise.all(
        Array.from({ length: workers }, (_, i) =>
          agent.callTool('spawn_session', { title: `w${i}`, prompt: 'work' }),
        ),
      );
    }
    await agent.hang();
  },
});

const dir = await createTempDir('orcha-bench-orch-');
const server = await startServer(
  parseConfig(
    [
      '--port',
      '0',
      '--data-dir',
      dir.path,
      '--no-demo',
      '--max-concurrent',
      String(workers + 50),
      '--schedule-interval',
      '10s',
    ],
    {},
  ),
  { providers: { fake: provider } },
);
const { store } = server.orchestrator;
const figures: Record<string, number> = {};

try {
  // 1. Objective → manager running.
  const running = new Map<string, () => void>();
  const unsubscribe = store.subscribe((events: OrchaEvent[]) => {
    for (const event of events) {
      if (event.type === 'session-status-change' && event.to === 'running') running.get(event.sessionId)?.();
    }
  });
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    const response = await fetch(`${server.url}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({ title: `objective ${i}`, prompt: 'wait', agent: 'fake' }),
    });
    const body = (await response.json()) as { objective: { id: string }; manager: { id: string } };
    if (store.getSession(body.manager.id).status !== 'running') {
      await new Promise<void>((resolve) => running.set(body.manager.id, resolve));
    }
    latencies.push(performance.now() - started);
    await server.orchestrator.cancelObjective(body.objective.id);
  }
  unsubscribe();
  figures.objective_to_running_p50_ms = round(percentile(latencies, 50));
  figures.objective_to_running_p99_ms = round(percentile(latencies, 99));
  console.log(
    `objective → manager running: p50 ${figures.objective_to_running_p50_ms} ms, p99 ${figures.objective_to_running_p99_ms} ms (200 objectives)`,
  );

  // 2. One event → 100 SSE clients.
  const clients = await Promise.all(Array.from({ length: 100 }, () => openFeed(`${server.url}/api/events`)));
  const delays: number[] = [];
  const { objective } = await server.orchestrator.createObjective({ title: 'notes', prompt: 'wait' });
  for (let round_ = 0; round_ < 30; round_++) {
    const title = `note ${round_}`;
    const arrivals = clients.map((client) => client.next((data) => data.includes('note-create')));
    const started = performance.now();
    store.createNote({ objectiveId: objective.id, sessionId: null, title, body: '' });
    for (const arrived of await Promise.all(arrivals)) delays.push(arrived - started);
  }
  for (const client of clients) client.close();
  figures.sse_fanout_p50_ms = round(percentile(delays, 50));
  figures.sse_fanout_p99_ms = round(percentile(delays, 99));
  console.log(
    `event → 100 SSE clients: p50 ${figures.sse_fanout_p50_ms} ms, p99 ${figures.sse_fanout_p99_ms} ms (30 events)`,
  );
  await server.orchestrator.cancelObjective(objective.id);

  // 3. 500 concurrent sessions.
  const baseline = process.memoryUsage().rss;
  const fan = await server.orchestrator.createObjective({
    title: 'fan out',
    prompt: 'fan out',
    agent: 'fake',
  });
  const workersIn = (status: SessionStatus) =>
    store.listSessions({ objectiveId: fan.objective.id, role: 'worker', statuses: [status] }).length;
  const started = performance.now();
  let peak = 0;
  for (;;) {
    peak = Math.max(peak, process.memoryUsage().rss);
    const live = workersIn('running');
    if (live === workers) break;
    if (performance.now() - started > 120_000) throw new Error(`only ${live} of ${workers} workers running`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  release();
  for (;;) {
    peak = Math.max(peak, process.memoryUsage().rss);
    const done = workersIn('completed');
    figures.sessions_500_completed = done;
    if (done === workers || performance.now() - started > 180_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  figures.sessions_500_rss_mb = Math.round(peak / 1024 / 1024);
  figures.sessions_500_s = round((performance.now() - started) / 1000);
  console.log(
    `${workers} concurrent fake sessions: peak RSS ${figures.sessions_500_rss_mb} MB (before: ${Math.round(baseline / 1024 / 1024)} MB), ${figures.sessions_500_completed} completed in ${figures.sessions_500_s} s`,
  );
} finally {
  await server.close();
  await dir.remove();
}
// 4. Many objectives on few slots: idle sessions give their slots back and started work finishes first.
const packed = await packing(200);
figures.objectives_200_cap8_s = packed.elapsedS;
figures.objectives_200_ideal_s = packed.idealS;
console.log(
  `200 objectives × (manager + 3 workers) on 8 slots: ${figures.objectives_200_cap8_s} s; ideal packing ${figures.objectives_200_ideal_s} s (×${round(figures.objectives_200_cap8_s! / figures.objectives_200_ideal_s!)})`,
);
// 5. The dashboard with a long history: its own server and data dir.
Object.assign(figures, await dashboardHistory());
console.log(JSON.stringify({ bench: 'orch', ...figures }));

/** A minimal SSE client over fetch that reports when a matching event arrives. */
async function openFeed(url: string) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let waiting = null as { match: (data: string) => boolean; resolve: (at: number) => void } | null;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        if (waiting?.match(value)) {
          const { resolve } = waiting;
          waiting = null;
          resolve(performance.now());
        }
      }
    } catch {}
  })();
  return {
    next: (match: (data: string) => boolean) =>
      new Promise<number>((resolve) => {
        waiting = { match, resolve };
      }),
    close: () => controller.abort(),
  };
}
