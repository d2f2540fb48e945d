import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClaudeProvider } from '@orcha/agent-claude';
import { defaultHealthConfig } from '@orcha/core';
import {
  anthropicReply,
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  type FakeAnthropic,
  type LoopbackSshd,
  lastUserText,
  startFakeAnthropic,
  startSshd,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { type RemoteHarness, startRemoteHarness } from './remote-harness.js';

// The real `claude` CLI as a headless agent on an SSH target whose connection drops mid-run: the agent runs
// detached from the connection there, and orcha reads its spooled output on from the last byte once the
// machine answers again.

let sshd: LoopbackSshd;
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let harness: RemoteHarness;
/** The model's first answer waits for this: the connection drops while the agent waits for its model. */
let releaseFirst: () => void = () => {};
const firstHeld = new Promise<void>((resolve) => {
  releaseFirst = resolve;
});
let firstAsked = false;

beforeAll(async () => {
  sshd = await startSshd();
  anthropic = await startFakeAnthropic({
    handler: async (request) => {
      const last = lastUserText(request) ?? '';
      if (last.includes('say first')) {
        firstAsked = true;
        await firstHeld;
        return anthropicReply.text('first-answer');
      }
      if (last.includes('say second')) return anthropicReply.text('second-answer');
      if (last.includes('wait forever')) return { type: 'hang' };
      return anthropicReply.text('ok');
    },
  });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  harness = await startRemoteHarness({
    providers: { claude: createClaudeProvider({ command: claudeCliPath, env: claudeHome.env }) },
    // orcha waits 2.5 s for a machine that went away before it gives a detached run up, and probes an
    // offline machine at least every second.
    config: {
      health: {
        ...defaultHealthConfig,
        probeIntervalMs: 300,
        probeTimeoutMs: 1_000,
        reconnectWaitMs: 2_500,
        maxBackoffMs: 1_000,
      },
    },
  });
  await harness.trust(sshd);
  expect((await harness.register(sshd, 'box')).status).toBe(201);
});

afterAll(async () => {
  releaseFirst();
  await harness?.close();
  await anthropic?.stop();
  await claudeHome?.remove();
  await sshd?.stop();
});

const texts = (sessionId: string) =>
  harness.store.listMessages(sessionId, { after: 0, limit: 5_000 }).map((message) => message.text);

/** The process groups of the session's detached runs on the target (the sshd is on loopback). */
function spooledGroups(sessionId: string): number[] {
  const dir = join(sshd.dir, 'work', 'agents', sessionId);
  try {
    return readdirSync(dir).map((run) => Number(readFileSync(join(dir, run, 'pid'), 'utf8')));
  } catch {
    return [];
  }
}

/** Whether any process of the group lives (zombies, which their new parent may reap late, do not count). */
function groupAlive(pgid: number): boolean {
  return execFileSync('ps', ['-e', '-o', 'pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some(([group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'));
}

describe('a headless agent on an SSH target whose connection drops', () => {
  it('runs on through the drop: the transcript is whole, nothing is resumed, and cancel leaves nothing', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'through the drop',
      prompt: 'say first',
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = harness.store.listSessions({ objectiveId })[0]!;
    await harness.until(() => firstAsked, 30_000);
    const [group] = spooledGroups(session.id);
    expect(group).toBeGreaterThan(1);

    // The machine drops off while the agent waits for its model; the agent lives on there.
    await sshd.down();
    await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
    expect(groupAlive(group!)).toBe(true);
    await sshd.up();
    releaseFirst();

    await harness.until(() => texts(session.id).includes('first-answer'), 30_000);
    await harness.until(() => harness.store.getSession(session.id).status === 'waiting_input', 30_000);
    // The same process takes the next message on its stdin (through the spool).
    const steered = await api(harness, 'POST', `/api/sessions/${session.id}/messages`, {
      text: 'say second',
    });
    expect(steered.status).toBeLessThan(300);
    await harness.until(() => texts(session.id).includes('second-answer'), 30_000);

    const said = texts(session.id);
    expect(said.filter((text) => text === 'first-answer')).toHaveLength(1);
    expect(said.filter((text) => text === 'second-answer')).toHaveLength(1);
    expect(spooledGroups(session.id)).toEqual([group]);
    const reasons = harness.store
      .listEvents({ after: 0, limit: 5_000 })
      .flatMap((event) =>
        event.type === 'session-status-change' && event.sessionId === session.id ? [event.reason ?? ''] : [],
      );
    expect(reasons.filter((reason) => /lost the connection|resum/.test(reason))).toEqual([]);
    // One conversation: the model never saw a resumed session's replayed prompt twice.
    expect(anthropic.requests.filter((request) => lastUserText(request)?.includes('say first'))).toHaveLength(
      1,
    );

    // Canceled, its remote group is gone from the target, and so is its spool.
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
    await harness.until(() => harness.store.getSession(session.id).status === 'canceled');
    await harness.until(() => !groupAlive(group!) && spooledGroups(session.id).length === 0, 10_000);
  });

  it('a run orcha gives up on while the machine stays away is killed there once the machine answers', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'gone too long',
      prompt: 'wait forever',
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const session = harness.store.listSessions({ objectiveId: created.body.objective.id })[0]!;
    await harness.until(
      () => anthropic.requests.some((r) => lastUserText(r)?.includes('wait forever')),
      30_000,
    );
    const [group] = spooledGroups(session.id);
    expect(group).toBeGreaterThan(1);
    await sshd.down();
    try {
      // Past the reconnect wait orcha ends the session's run: the session says so, never "running" on.
      await harness.until(
        () => !['starting', 'running'].includes(harness.store.getSession(session.id).status),
        30_000,
      );
      // The agent itself lives on over there, out of orcha's reach for now.
      expect(groupAlive(group!)).toBe(true);
    } finally {
      await sshd.up();
    }
    // Once the machine answers (the heartbeat's probe is enough), the group orcha gave up on is killed.
    await harness.until(() => !groupAlive(group!), 20_000);
    await api(harness, 'POST', `/api/objectives/${created.body.objective.id}/cancel`, {});
    await harness.until(() => spooledGroups(session.id).length === 0, 10_000);
  }, 40_000);

  it('on start-up, agent runs an orcha that is gone left on the target are ended', async () => {
    // A detached run as an orcha that crashed leaves it: started over another connection, nobody follows it.
    const spool = join(sshd.dir, 'work', 'agents', 'ses_gone');
    const orphan = await harness.inspect(sshd).spawn('sh', ['-c', 'sleep 1000'], { detach: { dir: spool } });
    expect(groupAlive(orphan.pid!)).toBe(true);
    await harness.orchestrator.stop();
    await harness.orchestrator.start();
    expect(groupAlive(orphan.pid!)).toBe(false);
    expect(spooledGroups('ses_gone')).toEqual([]);
    expect((await orphan.wait()).code).not.toBe(0);
  });
});
