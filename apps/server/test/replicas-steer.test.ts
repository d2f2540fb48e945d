// Two real `orcha serve` replicas on one real PostgreSQL: a message written through the replica that does not
// lead reaches the live terminal of a run the leader holds at once, not at that run's next turn; a leader
// that stops leaves its tmux runs running, and the replica that takes over follows them on.
import {
  createPrivateTmux,
  createTempDir,
  type PrivateTmux,
  startPostgres,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OrchaProcess, startOrcha } from './orcha-process.js';
import { eventually } from './until.js';

let server: Awaited<ReturnType<typeof startPostgres>>;
let dir: TempDir;
let tmux: PrivateTmux;
const replicas: OrchaProcess[] = [];

beforeAll(async () => {
  server = await startPostgres();
  dir = await createTempDir('orcha-replicas-steer-');
  tmux = createPrivateTmux('replicas-steer');
}, 120_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await tmux?.kill();
  if (server?.ok) await server.stop();
  await dir?.remove();
});

async function get<T>(port: number, path: string): Promise<T> {
  return (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T;
}

describe('replicas on one PostgreSQL', () => {
  it('delivers a message written through a follower to the live run the leader holds', async (context) => {
    if (!server.ok) context.skip(`PostgreSQL could not start: ${server.reason}`);
    if (!server.ok) return;
    const env = {
      ...process.env,
      ORCHA_DATABASE_URL: await server.createDatabase(),
      ORCHA_DEMO_QUIET_MS: '60000',
    };
    const serve = async () => {
      const args = ['--port', '0', '--data-dir', dir.path, '--no-demo', '--schedule-interval', '200ms'];
      args.push('--tmux', '--tmux-socket', tmux.socketName);
      const replica = await startOrcha(args, { env });
      replicas.push(replica);
      return replica.port;
    };
    // The first replica takes the lease as it starts; the second follows.
    const leader = await serve();
    const follower = await serve();
    const { replicas: rows } = await get<{ replicas: { address: string; leader: boolean }[] }>(
      follower,
      '/api/replicas',
    );
    expect(rows.find((row) => row.leader)?.address).toBe(`http://127.0.0.1:${leader}`);

    const created = await fetch(`http://127.0.0.1:${leader}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({ title: 'steer across replicas', prompt: 'keep going', agent: 'fake' }),
    });
    expect(created.status).toBe(201);
    // A tmux worker that took its prompt and waits for more, live in the leader's hands.
    const worker = await eventually(async () => {
      const { sessions } = await get<{ sessions: { id: string; role: string; status: string }[] }>(
        leader,
        '/api/sessions',
      );
      for (const session of sessions.filter((s) => s.role === 'worker' && s.status === 'running')) {
        const { screen } = await get<{ screen: string }>(leader, `/api/sessions/${session.id}/screen`);
        if (screen.includes('got: keep going')) return session;
      }
      return null;
    }, 60_000);

    const sent = await fetch(`http://127.0.0.1:${follower}/api/sessions/${worker.id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'hello from the other replica' }),
    });
    // Kept in the session's durable inbox: the follower holds no run to type it into.
    expect(sent.status).toBe(202);
    expect(((await sent.json()) as { delivery: string }).delivery).toBe('queued');
    await eventually(async () => {
      const { screen } = await get<{ screen: string }>(leader, `/api/sessions/${worker.id}/screen`);
      return screen.includes('got: hello from the other replica');
    }, 15_000);
    // Delivered once: typed into the terminal once, and nothing left waiting in its inbox.
    const { screen } = await get<{ screen: string }>(leader, `/api/sessions/${worker.id}/screen`);
    expect(screen.split('got: hello from the other replica')).toHaveLength(2);
    const detail = await get<{ session: { status: string } }>(follower, `/api/sessions/${worker.id}`);
    expect(detail.session.status).toBe('running');

    // The leader stops (SIGTERM) at once, leaving the tmux worker running; the follower takes over and
    // follows it on, and a message now reaches it through the new leader directly.
    const stopping = Date.now();
    await replicas[0]!.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    const alive = await tmux.tmux(['has-session', '-t', `orcha-${worker.id}`]);
    expect(alive.code).toBe(0);
    await eventually(async () => {
      const { replicas: now } = await get<{ replicas: { address: string; leader: boolean }[] }>(
        follower,
        '/api/replicas',
      );
      return now.find((row) => row.leader)?.address === `http://127.0.0.1:${follower}`;
    }, 30_000);
    await eventually(
      async () => (await get<{ live: boolean }>(follower, `/api/sessions/${worker.id}`)).live,
      30_000,
    );
    const again = await fetch(`http://127.0.0.1:${follower}/api/sessions/${worker.id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'and from its new leader' }),
    });
    expect(((await again.json()) as { delivery: string }).delivery).toBe('live');
    await eventually(async () => {
      const { screen: now } = await get<{ screen: string }>(follower, `/api/sessions/${worker.id}/screen`);
      return now.includes('got: and from its new leader');
    }, 15_000);
  }, 180_000);
});
