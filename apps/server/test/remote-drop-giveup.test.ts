import { type LoopbackSshd, lastUserText } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import {
  type ClaudeOnSsh,
  groupAlive,
  sessionProcesses,
  spooledGroups,
  startClaudeOnSsh,
} from './remote-cli-agents.js';
import type { RemoteHarness } from './remote-harness.js';

// The real `claude` CLI as a headless agent on an SSH target that stays away longer than orcha waits: orcha
// gives the run up, and kills what is left of it there once the machine answers again — also when orcha
// restarted meanwhile, forgetting what it gave up on.

let rig: ClaudeOnSsh;
let sshd: LoopbackSshd;
let harness: RemoteHarness;

beforeAll(async () => {
  // The model never answers; orcha waits 2.5 s for a machine that went away.
  rig = await startClaudeOnSsh(() => ({ type: 'hang' }), 2_500);
  ({ sshd, harness } = rig);
});

afterAll(async () => {
  await rig?.close();
});

describe('a headless agent on an SSH target that stays away', () => {
  it('a run orcha gives up on while the machine stays away is killed there once the machine answers', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'gone too long',
      prompt: 'wait forever',
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const session = harness.store.listSessions({ objectiveId: created.body.objective.id })[0]!;
    await harness.until(
      () => rig.anthropic.requests.some((r) => lastUserText(r)?.includes('wait forever')),
      30_000,
    );
    const [group] = spooledGroups(sshd, session.id);
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
    await harness.until(() => spooledGroups(sshd, session.id).length === 0, 10_000);
  });

  it('a run given up on before orcha restarts is killed once the machine answers the new orcha', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'gone across a restart',
      prompt: 'wait across a restart',
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = harness.store.listSessions({ objectiveId })[0]!;
    await harness.until(
      () => rig.anthropic.requests.some((r) => lastUserText(r)?.includes('wait across a restart')),
      30_000,
    );
    const [group] = spooledGroups(sshd, session.id);
    expect(group).toBeGreaterThan(1);
    expect(sessionProcesses(session.id).length).toBeGreaterThan(0);
    await sshd.down();
    try {
      await harness.until(
        () => !['starting', 'running'].includes(harness.store.getSession(session.id).status),
        30_000,
      );
      // The objective is canceled while the machine is away: no later run of the session will sweep its
      // spool there, so only the new orcha's own doing can end the group.
      expect((await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {})).status).toBeLessThan(
        300,
      );
      expect(['failed', 'canceled']).toContain(harness.store.getSession(session.id).status);
      // A new orcha: what the old one meant to kill once the machine answered is forgotten with it, and the
      // start-up sweep cannot reach the machine.
      await harness.restart();
      expect(groupAlive(group!)).toBe(true);
    } finally {
      await sshd.up();
    }
    // The machine answers the new orcha (its heartbeat's probe is enough): the group is killed, and nothing
    // carrying the session's id runs there any more.
    await harness.until(() => !groupAlive(group!), 20_000);
    await harness.until(() => sessionProcesses(session.id).length === 0, 10_000);
    // Its spool goes with it (the sweep removes it a moment after the kill).
    await harness.until(() => spooledGroups(sshd, session.id).length === 0, 10_000);
  });
});
