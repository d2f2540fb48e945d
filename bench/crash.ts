// Benchmark `crash`: what a crash leaves, and how fast orcha comes back from it.
//   crash_points              step boundaries of an objective's life where a real `orcha` is killed (-9)
//   crash_points_clean        of those, how many it came back from clean (goal: all): sessions truthful, nothing
//                             lost, slots held only by running sessions, and the objective ends done
//   restart_reconcile_p99_ms  start on a data dir a crash left with 500 live fake sessions → all reconciled
//                             (resumed) and the API serving (goal < 2,000 ms)
//   rebind_accepted           the DNS-rebinding repro (Host and Origin of an attacker's name) accepted (goal 0)
// The last line is one JSON object `{"bench":"crash",…}`.
import { copyFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createFakeProvider } from '@orcha/agent';
import { crashPoints } from '@orcha/core';
import { createIdGenerator } from '@orcha/model';
import { createStore } from '@orcha/store';
import { createTempDir } from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';
import { type CrashChain, runCrashChain } from '../apps/server/test/crash-chain.js';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

// 1. Every crash point, in a chain of real processes.
const chainDir = await createTempDir('orcha-bench-crash-');
let chain: CrashChain = { runs: [], finalProblems: ['the chain did not finish'] };
try {
  chain = await runCrashChain({ dataDir: chainDir.path });
} catch (error) {
  console.log(`crash chain stopped: ${error instanceof Error ? error.message.slice(0, 2_000) : error}`);
}
for (const run of chain.runs)
  console.log(
    `  ${run.point.padEnd(20)} ${String(run.ms).padStart(6)} ms  ${run.problems.join('; ') || 'clean'}`,
  );
if (chain.finalProblems.length) console.log(`  after the last run: ${chain.finalProblems.join('; ')}`);
await chainDir.remove();
// The last point is clean only if the run after it finished the objective.
const clean = chain.runs.filter(
  (run, index) =>
    run.problems.length === 0 && (index < chain.runs.length - 1 || chain.finalProblems.length === 0),
).length;

// 2. A restart with 500 live sessions: a data dir as a crash leaves it, copied fresh for each sample.
const live = 500;
const seedDir = await createTempDir('orcha-bench-crash-seed-');
const seed = createStore({
  path: join(seedDir.path, 'orcha.db'),
  clock: Date.now,
  ids: createIdGenerator(Date.now, () => Math.floor(Math.random() * 32)),
});
const target = seed.ensureLocalTarget({ workRoot: join(seedDir.path, 'work'), capacity: live });
for (let i = 0; i < live; i++) {
  const { manager } = seed.createObjective({ title: `live ${i}`, prompt: 'p', agent: 'fake' });
  seed.claimTargetSlot(target.id, manager.id);
  // As live sessions have them: a workspace, and the conversation their agent gave.
  const workspace = seed.createWorkspace({
    objectiveId: manager.objectiveId,
    sessionId: manager.id,
    targetId: target.id,
    kind: 'scratch',
    path: join(seedDir.path, 'work', manager.id),
    status: 'ready',
  });
  seed.updateSession(manager.id, {
    targetId: target.id,
    workspaceId: workspace.id,
    providerSessionId: `conversation-${i}`,
  });
  seed.updateSessionStatus(manager.id, 'starting');
  seed.updateSessionStatus(manager.id, 'running');
}
seed.close();

// Live sessions that stay live: each resumed run holds its process until orcha stops it.
const provider = createFakeProvider({ script: (agent) => agent.hang() });
const samples: number[] = [];
let rebindAccepted = 0;
const rounds = 15;
for (let round = 0; round < rounds; round++) {
  const dir = await createTempDir('orcha-bench-crash-restart-');
  copyFileSync(join(seedDir.path, 'orcha.db'), join(dir.path, 'orcha.db'));
  const started = performance.now();
  const server = await startServer(
    parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo', '--max-concurrent', String(live)], {}),
    { providers: { fake: provider } },
  );
  const response = await fetch(`${server.url}/api/sessions`);
  await response.arrayBuffer();
  samples.push(performance.now() - started);
  const reconciled = server.orchestrator.reads.listSessions({ statuses: ['queued', 'starting', 'running'] });
  if (!response.ok || reconciled.length !== live)
    throw new Error(`restart ${round}: ${reconciled.length} of ${live} sessions reconciled`);
  if (round === rounds - 1) rebindAccepted = await rebind(server.url, dir.path);
  await server.close();
  await dir.remove();
}
await seedDir.remove();

/** The repro of DNS rebinding: a page on rebind.example, resolved to 127.0.0.1, posts a target. */
async function rebind(url: string, dataDir: string): Promise<number> {
  const { port } = new URL(url);
  const proof = join(dataDir, 'rebind-proof');
  const body = JSON.stringify({
    name: 'rb',
    kind: 'local',
    work_root: join(dataDir, 'rb'),
    bootstrap: `id > ${proof}`,
  });
  const status = await new Promise<number>((resolve, reject) => {
    const sent = request(
      `${url}/api/targets`,
      {
        method: 'POST',
        headers: {
          host: `rebind.example:${port}`,
          origin: `http://rebind.example:${port}`,
          'content-type': 'application/json',
        },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    sent.once('error', reject);
    sent.end(body);
  });
  console.log(`  rebind repro: ${status}${existsSync(proof) ? ', bootstrap ran' : ''}`);
  return status < 400 || existsSync(proof) ? 1 : 0;
}

const p99 = Math.round(percentile(samples, 99));
console.log(
  `restart with ${live} live sessions: p50 ${Math.round(percentile(samples, 50))} ms, p99 ${p99} ms (${rounds} restarts)`,
);
console.log(
  JSON.stringify({
    bench: 'crash',
    crash_points: crashPoints.length,
    crash_points_clean: clean,
    restart_reconcile_p99_ms: p99,
    rebind_accepted: rebindAccepted,
  }),
);
