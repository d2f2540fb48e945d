// Three real `orcha serve` replicas on one real PostgreSQL server, the leader SIGKILLed mid-run: a new
// leader within the lease, no session started twice, no transcript line lost, every objective done.
import {
  createPrivateTmux,
  createTempDir,
  type LocalPostgres,
  type PrivateTmux,
  startPostgres,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './orcha-process.js';
import { percentile, runReplicaChain } from './replica-chain.js';

// The bench (`pnpm bench replicas`) kills the leader ten times; here fewer, for CI's time.
const kills = 3;
const leaseMs = 1_500;
let server: Awaited<ReturnType<typeof startPostgres>>;
let postgres: LocalPostgres;
let dir: TempDir;
let tmux: PrivateTmux;

beforeAll(async () => {
  server = await startPostgres();
  if (!server.ok) return;
  postgres = server;
  dir = await createTempDir('orcha-replicas-');
  tmux = createPrivateTmux('replicas');
}, 120_000);
afterAll(async () => {
  await tmux?.kill();
  if (server?.ok) await postgres.stop();
  await dir?.remove();
});

describe('replicas of orcha serve on one PostgreSQL', () => {
  it('survives the leader being killed mid-run: a new leader within the lease, fenced, nothing lost', async (context) => {
    if (!server.ok) context.skip(`PostgreSQL could not start: ${server.reason}`);
    const ports = await Promise.all(Array.from({ length: 3 + kills }, () => freePort()));
    const chain = await runReplicaChain({
      database: await postgres.createDatabase(),
      dataDir: dir.path,
      tmuxSocket: tmux.socketName,
      kills,
      objectives: 2,
      leaseMs,
      ports,
      timeoutMs: 120_000,
    });
    console.log(
      `replicas: failover ${chain.failoversMs.map((ms) => Math.round(ms)).join(', ')} ms; SSE across replicas p50 ${percentile(chain.sseCrossReplicaMs, 50)} ms, p99 ${percentile(chain.sseCrossReplicaMs, 99)} ms (${chain.sseCrossReplicaMs.length} events)`,
    );
    expect(chain.problems).toEqual([]);
    expect(chain.doubleStarts).toEqual([]);
    expect(chain.lostLines).toEqual([]);
    expect(chain.failoversMs).toHaveLength(kills);
    // Within the lease (counted from the leader's last renewal, up to a heartbeat before the kill), plus
    // what a loaded machine adds to noticing it.
    for (const ms of chain.failoversMs) expect(ms).toBeLessThan(leaseMs + leaseMs / 3 + 3_000);
    expect(chain.exits.filter((exit) => !exit.endsWith('SIGKILL'))).toEqual([]);
  }, 400_000);
});
