import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateTmux, createTempDir, type PrivateTmux, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orchaCommand, type Ran, runOrcha } from './cli-process.js';
import { checkResponse } from './contract.js';
import { type OrchaProcess, startOrcha } from './orcha-process.js';
import { eventually } from './until.js';

// The `orcha` binary's client commands, run as real processes against a real `orcha serve`.

let dir: TempDir;
let tmux: PrivateTmux;
let outer: PrivateTmux;
let server: OrchaProcess;
let url = '';

function orcha(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return runOrcha(args, { input: options.input, env: { ORCHA_URL: url, ...options.env } });
}

const parsed = (ran: Ran) => {
  expect(ran.stderr).toBe('');
  expect(ran.code).toBe(0);
  return JSON.parse(ran.stdout);
};

beforeAll(async () => {
  dir = await createTempDir('orcha-cli-');
  tmux = createPrivateTmux('cli');
  outer = createPrivateTmux('cli-outer');
  const args = ['--port', '0', '--data-dir', dir.path, '--tmux', '--tmux-socket', tmux.socketName];
  server = await startOrcha([...args, '--no-demo', '--schedule-interval', '200ms'], {
    env: { ...process.env, ORCHA_DEMO_QUIET_MS: '600000' },
  });
  url = server.url;
});
afterAll(async () => {
  await outer?.kill();
  // Nothing of this server's state matters any more: no graceful stop to wait for on a loaded machine.
  server?.child.kill('SIGKILL');
  await server?.stop();
  await tmux?.kill();
  await dir?.remove();
});

describe('orcha client commands', { timeout: 180_000 }, () => {
  let objectiveId = '';
  let managerId = '';

  it('run creates an objective (prompt from stdin) and ls, show print it, with --json matching the schemas', async () => {
    const created = parsed(
      await orcha(['run', 'cli objective', '--agent', 'fake', '--json'], { input: 'do the thing\n' }),
    );
    await checkResponse('POST', '/api/objectives', 201, created);
    expect(created.objective.prompt).toBe('do the thing');
    objectiveId = created.objective.id;
    managerId = created.manager.id;

    const ls = await orcha(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(objectiveId);
    expect(ls.stdout).toContain(managerId);
    const dashboard = parsed(await orcha(['ls', '--json']));
    await checkResponse('GET', '/api/dashboard', 200, dashboard);

    const show = parsed(
      await orcha(['show', objectiveId, '--json', '--url', url], { env: { ORCHA_URL: '' } }),
    );
    await checkResponse('GET', `/api/objectives/${objectiveId}`, 200, show);
    const session = parsed(await orcha(['show', managerId, '--json']));
    await checkResponse('GET', `/api/sessions/${managerId}`, 200, session);
    expect((await orcha(['show', managerId])).stdout).toContain('manager');
  });

  it('attach runs the session’s tmux attach inside a real pane, and the pane detaches with send-keys', async () => {
    const worker = await eventually(async () => {
      const { sessions } = parsed(await orcha(['show', objectiveId, '--json']));
      return (sessions as { role: string; status: string; attachCommand: string | null; id: string }[]).find(
        (s) => s.role === 'worker' && s.status === 'running' && s.attachCommand,
      );
    }, 60_000);
    const marker = join(dir.path, 'attach-exit');
    const command = `ORCHA_URL=${url} ${orchaCommand.join(' ')} attach ${worker.id}; echo "exit=$?" > ${marker}; sleep 60`;
    expect(
      (await outer.tmux(['new-session', '-d', '-s', 'outer', '-x', '120', '-y', '30', command])).code,
    ).toBe(0);
    // Attached: the inner tmux client shows up on the session's server.
    await eventually(async () => {
      const clients = await tmux.tmux(['list-clients', '-t', `orcha-${worker.id}`]);
      return clients.stdout.trim() !== '' || null;
    }, 60_000);
    await outer.tmux(['send-keys', '-t', 'outer', 'C-b', 'd']);
    await eventually(async () => {
      try {
        return readFileSync(marker, 'utf8').trim() === 'exit=0' || null;
      } catch {
        return null;
      }
    }, 30_000);
    const headless = await orcha(['attach', managerId]);
    if (headless.code !== 0) {
      expect(headless.code).toBe(1);
      expect(headless.stderr.trim().split('\n')).toHaveLength(1);
      expect(headless.stderr).toContain('no terminal');
    }
  });

  it('steer, logs, questions, prs and targets work and print JSON that matches the schemas', async () => {
    const steered = parsed(await orcha(['steer', managerId, 'also this', '--json']));
    await checkResponse('POST', `/api/sessions/${managerId}/messages`, 202, steered);
    expect(['live', 'restart', 'queued']).toContain(steered.delivery);
    const logs = await orcha(['logs', managerId]);
    expect(logs.code).toBe(0);
    expect(logs.stdout.length).toBeGreaterThan(0);
    const lines = (await orcha(['logs', managerId, '--json'])).stdout.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ sessionId: managerId, seq: 1 });
    // One transcript message a line: together they are a page of the transcript.
    const messages = lines.map((text) => JSON.parse(text));
    const page = { messages, next: null, total: messages.length };
    await checkResponse('GET', `/api/sessions/${managerId}/messages`, 200, page);
    const questions = parsed(await orcha(['questions', '--json']));
    await checkResponse('GET', '/api/questions', 200, questions);
    const prs = parsed(await orcha(['prs', '--json']));
    await checkResponse('GET', '/api/pull-requests', 200, prs);
    const targets = parsed(await orcha(['targets', '--json']));
    await checkResponse('GET', '/api/targets', 200, targets);
    const local = targets.targets[0].name as string;
    const drained = parsed(await orcha(['targets', 'drain', local, '--json']));
    expect(drained.target.status).toBe('draining');
    expect((await orcha(['targets', 'enable', local])).stdout).toContain('online');
  });

  it('cancel ends a session, and logs -f follows it to its end', async () => {
    const created = parsed(await orcha(['run', 'to cancel', '-p', 'x', '--agent', 'fake', '--json']));
    const canceled = parsed(await orcha(['cancel', created.objective.id, '--json']));
    await checkResponse('POST', `/api/objectives/${created.objective.id}/cancel`, 200, canceled);
    expect(canceled.objective.status).toBe('canceled');
    const follow = await orcha(['logs', created.manager.id, '-f']);
    expect(follow.code).toBe(0);
    expect(follow.stdout).toMatch(/session canceled\s*$/);
  });

  it('answers bad input with one line and exit 2, a failure with exit 1', async () => {
    for (const args of [
      ['show'],
      ['run', '   ', '-p', 'x'],
      ['targets', 'add', 'x', '--work-root', '/w', '--port', 'abc'],
      ['ls', '--nope'],
    ]) {
      const ran = await orcha(args);
      expect(ran.code, args.join(' ')).toBe(2);
      expect(ran.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(ran.stderr).toMatch(/^orcha: /);
    }
    const missing = await orcha(['show', 'obj_nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^orcha: .*\(not_found\)\n$/);
    const unreachable = await orcha(['ls'], { env: { ORCHA_URL: 'http://127.0.0.1:1' } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('(unavailable)');
  });

  it('prints help and a completion script', async () => {
    const help = await orcha(['help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'ls', 'logs', 'attach', 'targets', '--port'])
      expect(help.stdout).toContain(command);
    const completion = await orcha(['completion']);
    expect(completion.stdout).toContain('complete -F _orcha orcha');
    expect(completion.stdout).toContain('drain');
  });
});
