import type { ChildProcess } from 'node:child_process';
import { createPrivateTmux, createTempDir, type PrivateTmux, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrcha } from './orcha-process.js';
import { eventually } from './until.js';

let dir: TempDir;
let tmux: PrivateTmux;
let child: ChildProcess | null = null;
/** 0 until the first start picks a free port; the restart takes the same one, which its agents know. */
let port = 0;

/** Starts `orcha serve` as a real process and waits until it serves. */
async function serve(): Promise<void> {
  const args = ['--port', String(port), '--data-dir', dir.path, '--tmux', '--tmux-socket', tmux.socketName];
  args.push('--no-demo', '--schedule-interval', '200ms');
  const orcha = await startOrcha(args, { env: { ...process.env, ORCHA_DEMO_QUIET_MS: '60000' } });
  child = orcha.child;
  port = orcha.port;
}

async function get<T>(path: string): Promise<T> {
  return (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as T;
}

interface SessionRow {
  id: string;
  role: string;
  agent: string;
  status: string;
  statusReason: string | null;
  attachCommand: string | null;
}

async function sessions(): Promise<SessionRow[]> {
  return (await get<{ sessions: SessionRow[] }>('/api/sessions')).sessions;
}

beforeAll(async () => {
  dir = await createTempDir('orcha-restart-');
  tmux = createPrivateTmux('restart');
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await tmux.kill();
  await dir.remove();
});

describe('a crash and a restart', () => {
  it('re-attaches live tmux sessions, resumes headless agents, and leaves nothing running without a process', {
    timeout: 90_000, // two starts of orcha from source on a loaded machine
  }, async () => {
    await serve();
    const created = await fetch(`http://127.0.0.1:${port}/api/objectives`, {
      method: 'POST',
      body: JSON.stringify({ title: 'survive a crash', prompt: 'keep going', agent: 'fake' }),
    });
    expect(created.status).toBe(201);
    const workers = await eventually(async () => {
      const rows = (await sessions()).filter(
        (s) => s.role === 'worker' && s.status === 'running' && s.attachCommand,
      );
      return rows.length === 3 ? rows : null;
    }, 30_000);
    expect(workers.every((w) => w.agent === 'tmux')).toBe(true);
    expect(workers[0]!.attachCommand).toContain(`-L ${tmux.socketName}`);
    expect(workers[0]!.attachCommand).toContain(`attach -t orcha-${workers[0]!.id}`);

    // (The workers stay a minute after their last input: through the restart on a loaded machine.)
    // The crash comes once each worker took its prompt: typing into a terminal cannot be taken back, so a
    // crash between a prompt's text and its Enter leaves that line unsent (the person sees it in the pane).
    for (const worker of workers)
      await eventually(async () => {
        const { screen } = await get<{ screen: string }>(`/api/sessions/${worker.id}/screen`);
        return screen.includes('got: keep going');
      }, 30_000);
    child!.kill('SIGKILL'); // a crash: no chance to clean up
    await new Promise((resolve) => child!.once('exit', resolve));
    const alive = await tmux.tmux(['list-sessions', '-F', '#{session_name}']);
    expect(alive.stdout.split('\n').filter(Boolean).sort()).toEqual(
      workers.map((w) => `orcha-${w.id}`).sort(),
    );

    await serve();
    // Right after the restart every session is in a truthful state.
    const after = await sessions();
    // (An idle session, waiting_input, holds no process by design.)
    for (const session of after.filter((s) => ['starting', 'running'].includes(s.status))) {
      const detail = await get<{ live: boolean }>(`/api/sessions/${session.id}`);
      expect(detail.live, `${session.role} ${session.id} is ${session.status} without a process`).toBe(true);
    }
    for (const worker of workers) {
      expect(after.find((s) => s.id === worker.id)!.status).toBe('running');
    }
    const manager = after.find((s) => s.role === 'manager')!;
    expect(['queued', 'starting', 'running', 'waiting_input']).toContain(manager.status);

    // Steering reaches a re-attached worker's terminal.
    const steered = await fetch(`http://127.0.0.1:${port}/api/sessions/${workers[0]!.id}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'still there?' }),
    });
    expect(((await steered.json()) as { delivery: string }).delivery).toBe('live');
    await eventually(async () => {
      const screen = await get<{ screen: string }>(`/api/sessions/${workers[0]!.id}/screen`);
      return screen.screen.includes('got: still there?');
    }, 10_000).catch(async (error) => {
      console.log(
        await get(`/api/sessions/${workers[0]!.id}/screen`),
        await get(`/api/sessions/${workers[0]!.id}/messages`),
      );
      throw error;
    });
  });
});
