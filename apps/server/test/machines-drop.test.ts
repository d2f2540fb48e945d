import { createFakeProvider } from '@orcha/agent';
import { createTmuxProvider } from '@orcha/agent-tmux';
import { defaultHealthConfig } from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { createRemoteFakeProvider } from './remote-agents.js';
import { processTag, type RemoteHarness, startRemoteHarness } from './remote-harness.js';

const tmuxSocket = processTag('tmux');
let sshd: LoopbackSshd;
let harness: RemoteHarness;

beforeAll(async () => {
  sshd = await startSshd();
  const tmux = createTmuxProvider({
    name: 'tmux',
    socketName: tmuxSocket,
    typePrompt: false,
    // Numbered lines, written on while the connection is down: every one must reach the transcript once.
    command: () => [
      'sh',
      '-c',
      'i=0; while [ $i -lt 80 ]; do i=$((i+1)); echo "line-$i"; sleep 0.05; done; echo all-written; sleep 1000',
    ],
  });
  harness = await startRemoteHarness({
    providers: {
      fake: createRemoteFakeProvider(),
      tmux,
      // A headless agent whose work is a remote command: the drop ends its run; it resumes its conversation.
      headless: createFakeProvider({
        name: 'headless',
        interactivity: 'noninteractive',
        script: async (agent) => {
          if (agent.resumed) {
            agent.say('resumed after the drop');
            return 'resumed';
          }
          agent.say('working remotely');
          await agent.run('sleep', ['20']);
          return 'slept';
        },
      }),
    },
    config: { health: { ...defaultHealthConfig, probeIntervalMs: 300, probeTimeoutMs: 1_000, tmuxSocket } },
  });
  await harness.trust(sshd);
  expect((await harness.register(sshd, 'box')).status).toBe(201);
});

afterAll(async () => {
  await harness?.close();
  await createLocalExecutor()
    .run('tmux', ['-L', tmuxSocket, 'kill-server'])
    .catch(() => {});
  await sshd?.stop();
});

const transcript = (sessionId: string) =>
  harness.store
    .listMessages(sessionId, { after: 0, limit: 5_000 })
    .map((message) => message.text)
    .join('');

describe('a dropped SSH connection', () => {
  it('does not fail a tmux agent: orcha reconnects and follows its log on, nothing lost or doubled', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'through the drop',
      prompt: 'print',
      agent: 'tmux',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = harness.store.listSessions({ objectiveId })[0]!;
    await harness.until(() => transcript(session.id).includes('line-3'));

    // The connection drops (every sshd connection process killed) while the agent keeps writing.
    await sshd.down();
    await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
    const linesBefore = transcript(session.id).match(/line-\d+/g)?.length ?? 0;
    await sshd.up();

    await harness.until(() => transcript(session.id).includes('all-written'), 30_000);
    const lines = transcript(session.id).match(/line-\d+/g) ?? [];
    expect(lines).toEqual(Array.from({ length: 80 }, (_, i) => `line-${i + 1}`));
    expect(linesBefore).toBeLessThan(80); // the drop came while it was still writing
    const changes = harness.store
      .listEvents({ after: 0, limit: 5_000 })
      .filter((event) => event.type === 'session-status-change' && event.sessionId === session.id);
    expect(changes.map((event) => (event.type === 'session-status-change' ? event.to : null))).toEqual([
      'starting',
      'running',
    ]);
    expect(harness.store.getSession(session.id).status).toBe('running');
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
    await harness.until(() => harness.store.getSession(session.id).status === 'canceled');
  });

  it('does not fail a headless agent whose run it ended: the conversation resumes once the machine answers', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'headless through the drop',
      prompt: 'work',
      agent: 'headless',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = harness.store.listSessions({ objectiveId })[0]!;
    await harness.until(() => transcript(session.id).includes('working remotely'));
    await sshd.down();
    await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
    await sshd.up();
    await harness.until(() => transcript(session.id).includes('resumed after the drop'), 30_000);
    await harness.until(() => harness.store.getSession(session.id).status === 'waiting_input');
    const changes = harness.store
      .listEvents({ after: 0, limit: 5_000 })
      .flatMap((event) =>
        event.type === 'session-status-change' && event.sessionId === session.id ? [event] : [],
      );
    expect(changes.map((change) => change.to)).not.toContain('failed');
    expect(changes.map((change) => change.reason)).toContain(
      'lost the connection to box; resuming the conversation',
    );
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
  });
});
