import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultHealthConfig, notificationFor } from '@orcha/core';
import type { OrchaEvent } from '@orcha/model';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { createRemoteFakeProvider } from './remote-agents.js';
import { type RemoteHarness, startRemoteHarness } from './remote-harness.js';

let sshd: LoopbackSshd;
let harness: RemoteHarness;
const probeIntervalMs = 300;

beforeAll(async () => {
  sshd = await startSshd();
  // The loopback "machine" shares this kernel, so its boot id is a file the test controls.
  const bootIdPath = join(sshd.dir, 'boot_id');
  await writeFile(bootIdPath, 'boot-a\n');
  harness = await startRemoteHarness({
    providers: { fake: createRemoteFakeProvider() },
    config: { health: { ...defaultHealthConfig, probeIntervalMs, probeTimeoutMs: 1_000, bootIdPath } },
  });
  await harness.trust(sshd);
  expect((await harness.register(sshd, 'box')).status).toBe(201);
});

afterAll(async () => {
  await harness?.close();
  await sshd?.stop();
});

const box = () => harness.store.getTarget('box');
const offlineEvents = () =>
  harness.store
    .listEvents({ after: 0, limit: 5_000 })
    .filter(
      (event): event is Extract<OrchaEvent, { type: 'target-status-change' }> =>
        event.type === 'target-status-change' && event.to === 'offline',
    );

describe('heartbeats of an SSH target', () => {
  it('keeps what each probe read on the target, for the dashboard', async () => {
    const health = await harness.until(() => (box().health?.answeredAt ? box().health : null));
    expect(health).toMatchObject({ bootId: 'boot-a', missed: 0, offlineReason: null });
    expect(health.memAvailableBytes).toBeGreaterThan(0);
    expect(health.diskFreeBytes).toBeGreaterThan(0);
    expect(health.load1).toBeGreaterThanOrEqual(0);
    const listed = await api(harness, 'GET', '/api/targets');
    const target = listed.body.targets.find((candidate: { name: string }) => candidate.name === 'box');
    expect(target.status).toBe('online');
    expect(target.health.bootId).toBe('boot-a');
  });

  it('goes offline with the reason when the machine drops off, places nothing there, and comes back by itself', async () => {
    expect(box().status).toBe('online');
    const before = offlineEvents().length;
    const droppedAt = Date.now();
    await sshd.down();
    await harness.until(() => box().status === 'offline', 20_000);
    const seenAfterMs = Date.now() - droppedAt;
    // Three missed probes at this interval, each given a second to answer.
    expect(seenAfterMs).toBeLessThan(10_000);
    const event = offlineEvents()[before]!;
    expect(event.reason).toMatch(/^missed 3 probes in a row: /);
    expect(box().health?.offlineReason).toBe(event.reason);
    // The notification outbox tells the person why.
    expect(notificationFor(harness.store, event)?.body).toContain(event.reason);

    // Nothing is placed on it while it is offline.
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'while the box is away',
      prompt: JSON.stringify({ spawn: [] }),
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const managerId = harness.store
      .listSessions({ objectiveId })
      .find((session) => session.role === 'manager')!.id;
    await harness.until(() => harness.store.getSession(managerId).status === 'waiting_capacity');
    expect(harness.store.getSession(managerId).statusReason).toBe('no target is online');

    // Back: the probes pass again, the doctor re-runs, and the waiting work is placed there.
    await sshd.up();
    await harness.until(() => box().status === 'online', 30_000);
    expect(box().health?.offlineReason).toBeNull();
    expect(box().doctor?.ok).toBe(true);
    await harness.until(() => harness.store.getSession(managerId).status === 'waiting_input', 20_000);
    expect(harness.store.getSession(managerId).targetId).toBe(box().id);
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
  });
});
