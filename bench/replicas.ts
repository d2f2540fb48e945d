// Benchmark `replicas`: three real `orcha serve` replicas on one real PostgreSQL (a throwaway server), the
// leader SIGKILLed mid-run ten times (a replacement launched after each), fake agents headless and in tmux.
//   failover_p99_s            from the kill of the leader to another replica leading (goal < 5 s; lease 3 s)
//   double_starts             runs started while the session's previous run was still live (goal 0)
//   sse_cross_replica_p99_ms  an event committed through one replica, received by an SSE client of another,
//                             one at a time on a quiet system (goal < 50 ms); `_under_failover` while the
//                             chain ran (replicas starting, dying and taking over on the same machine)
// The last line is one JSON object `{"bench":"replicas",…}`.
import { createPrivateTmux, createTempDir, startPostgres, startSshd } from '@orcha/testkit';
import { percentile, runReplicaChain } from '../apps/server/test/replica-chain.js';

const kills = 10;
const leaseMs = 3_000;
const server = await startPostgres();
if (!server.ok) {
  console.error(`PostgreSQL could not start: ${server.reason}`);
  process.exit(1);
}
const dir = await createTempDir('orcha-bench-replicas-');
const tmux = createPrivateTmux('bench-replicas');
const sshd = await startSshd();
try {
  const chain = await runReplicaChain({
    database: await server.createDatabase(),
    dataDir: dir.path,
    tmuxSocket: tmux.socketName,
    sshd,
    kills,
    objectives: 2,
    leaseMs,
    timeoutMs: 900_000,
    quietSseSamples: 100,
    progress: (line) => console.log(line),
  });
  const seconds = chain.failoversMs.map((ms) => ms / 1000);
  console.log(
    `failover after each kill (lease ${leaseMs / 1000} s): ${seconds.map((s) => s.toFixed(2)).join(', ')} s`,
  );
  console.log(
    `problems: ${[...chain.problems, ...chain.lostLines, ...chain.doubleStarts].join('; ') || 'none'}`,
  );
  const round = (value: number) => Math.round(value * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'replicas',
      failover_p99_s: round(percentile(seconds, 99)),
      failover_p50_s: round(percentile(seconds, 50)),
      double_starts: chain.doubleStarts.length,
      sse_cross_replica_p99_ms: round(percentile(chain.quietSseMs, 99)),
      sse_cross_replica_p50_ms: round(percentile(chain.quietSseMs, 50)),
      sse_cross_replica_under_failover_p99_ms: round(percentile(chain.sseCrossReplicaMs, 99)),
      kills: chain.failoversMs.length,
      lost_lines: chain.lostLines.length,
      problems: chain.problems.length,
    }),
  );
} finally {
  await tmux.kill();
  await sshd.stop();
  await server.stop();
  await dir.remove();
}
