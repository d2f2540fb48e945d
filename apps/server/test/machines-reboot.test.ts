import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFakeProvider } from '@orcha/agent';
// Test-only import of a backend the API package does not depend on.
import { createTmuxProvider } from '@orcha/agent-tmux';
import { defaultHealthConfig } from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import type { OrchaEvent } from '@orcha/model';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { processTag, type RemoteHarness, remoteProcesses, startRemoteHarness } from './remote-harness.js';
import { isManager } from './scripts.js';

const tag = processTag('reboot');
const tmuxSocket = processTag('tmux');
let sshd: LoopbackSshd;
let harness: RemoteHarness;
let bootIdPath: string;
const here = createLocalExecutor();

beforeAll(async () => {
  sshd = await startSshd();
  // The loopback "machine" shares this kernel and its /proc: its boot id is a file the test controls.
  bootIdPath = join(sshd.dir, 'boot_id');
  await writeFile(bootIdPath, 'boot-before\n');
  const fake = createFakeProvider({
    name: 'fake',
    script: async (agent) => {
      if (isManager(agent.spec)) {
        if (!agent.resumed) {
          await agent.callTool('spawn_session', { title: 'headless', prompt: 'work', agent: 'fake' });
          await agent.callTool('spawn_session', { title: 'in tmux', prompt: 'work', agent: 'tmux' });
        }
        for (;;) await agent.waitForInput();
      }
      if (agent.resumed) {
        agent.say('resumed on the rebooted machine');
        return 'resumed after the reboot';
      }
      agent.say('working');
      await agent.run('sh', ['-c', `sleep 1000 & wait; : ${tag}`]);
      return 'the remote work ended';
    },
  });
  const tmux = createTmuxProvider({
    name: 'tmux',
    socketName: tmuxSocket,
    typePrompt: false,
    command: () => ['sh', '-c', `echo tmux-started; sleep 1000; : ${tag}`],
  });
  harness = await startRemoteHarness({
    providers: { fake, tmux },
    config: {
      health: {
        ...defaultHealthConfig,
        probeIntervalMs: 300,
        probeTimeoutMs: 1_000,
        bootIdPath,
        tmuxSocket,
      },
    },
  });
  await harness.trust(sshd);
  expect((await harness.register(sshd, 'box')).status).toBe(201);
});

afterAll(async () => {
  await harness?.close();
  await here.run('tmux', ['-L', tmuxSocket, 'kill-server']).catch(() => {});
  await sshd?.stop();
});

const statusChanges = (sessionId: string) =>
  harness.store
    .listEvents({ after: 0, limit: 5_000 })
    .filter(
      (event): event is Extract<OrchaEvent, { type: 'session-status-change' }> =>
        event.type === 'session-status-change' && event.sessionId === sessionId,
    );

describe('a rebooted machine', () => {
  it('resumes what can be resumed there, restarts the rest, and tells the manager', async () => {
    const created = await api(harness, 'POST', '/api/objectives', { title: 'reboot', prompt: 'plan' });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = (title: string) =>
      harness.store.listSessions({ objectiveId }).find((candidate) => candidate.title === title);
    const manager = harness.store.listSessions({ objectiveId }).find((s) => s.role === 'manager')!;
    await harness.until(
      () => session('headless')?.status === 'running' && session('in tmux')?.status === 'running',
    );
    const onBox = harness.inspect(sshd);
    // Both agents' processes are on the machine, and the heartbeat knows its boot id.
    await harness.until(() => box().health?.bootId === 'boot-before');
    await expect
      .poll(() => remoteProcesses(onBox, tag).then((pids) => pids.length))
      .toBeGreaterThanOrEqual(2);
    const headless = session('headless')!;
    const inTmux = session('in tmux')!;

    // The reboot: the machine drops off, every process on it dies (tmux server included), it comes back
    // with a new boot id.
    await sshd.down();
    await here.run('tmux', ['-L', tmuxSocket, 'kill-server']);
    // Whole process groups: the agents' children (which do not carry the tag) die with them.
    for (const pid of await remoteProcesses(here, tag)) {
      const group = Number((await here.run('ps', ['-o', 'pgid=', '-p', pid])).stdout.trim());
      if (!(group > 1) || group === process.pid) continue;
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await writeFile(bootIdPath, 'boot-after\n');
    await sshd.up();

    // The headless agent had a conversation: it resumes it there, where its workspace is.
    await harness.until(() => harness.store.getSession(headless.id).status === 'completed', 30_000);
    expect(harness.store.getSession(headless.id)).toMatchObject({
      result: 'resumed after the reboot',
      targetId: box().id,
    });
    expect(statusChanges(headless.id).map((change) => change.reason)).toContain(
      'target box rebooted; resuming the conversation there',
    );
    // The tmux agent had none: it starts again from its task, in a new tmux session.
    await harness.until(
      () =>
        statusChanges(inTmux.id).some((change) => change.from === 'queued' && change.to === 'starting') &&
        harness.store.getSession(inTmux.id).status === 'running',
      30_000,
    );
    expect(statusChanges(inTmux.id).map((change) => change.reason)).toContain(
      'target box rebooted; starting again (nothing to resume)',
    );
    await expect
      .poll(() =>
        here.run('tmux', ['-L', tmuxSocket, 'has-session', '-t', `=orcha-${inTmux.id}`]).then((r) => r.code),
      )
      .toBe(0);
    // Nothing was failed on the way, and the manager was told.
    for (const id of [headless.id, inTmux.id, manager.id])
      expect(statusChanges(id).map((change) => change.to)).not.toContain('failed');
    const told = harness.store
      .listMessages(manager.id, { after: 0, limit: 1_000 })
      .find((message) => message.kind === 'user' && message.text.startsWith('Target box rebooted'));
    expect(told?.text).toContain('"headless": resumes its conversation there');
    expect(told?.text).toContain('"in tmux": starts again from its task');
    expect(box().health?.bootId).toBe('boot-after');

    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
    await harness.until(() => harness.store.getSession(inTmux.id).status === 'canceled');
    await expect
      .poll(() => remoteProcesses(onBox, tag).then((pids) => pids.length), { timeout: 10_000 })
      .toBe(0);
  });
});

const box = () => harness.store.getTarget('box');
