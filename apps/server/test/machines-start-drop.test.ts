import { defaultHealthConfig } from '@orcha/core';
import type { OrchaEvent } from '@orcha/model';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { createWorkspacePreparer, type Preparer } from '@orcha/workspace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import { createRemoteFakeProvider } from './remote-agents.js';
import { type RemoteHarness, startRemoteHarness } from './remote-harness.js';

// A session's start on an SSH target, cut off by a dropped connection, is started again once the machine
// answers: it never began, so nothing is lost by starting it again, and failing it would strand its work.

let sshd: LoopbackSshd;
let harness: RemoteHarness;
/** The workspace preparation of the first start waits here, so the drop comes in the middle of a start. */
let reachedPrepare: () => void;
let letPrepare: () => void;
const prepareReached = new Promise<void>((resolve) => {
  reachedPrepare = resolve;
});
const prepareLetGo = new Promise<void>((resolve) => {
  letPrepare = resolve;
});

beforeAll(async () => {
  sshd = await startSshd();
  const real = createWorkspacePreparer({ git: {} });
  const preparer: Preparer = {
    async prepare(request) {
      reachedPrepare();
      await prepareLetGo;
      return real.prepare(request);
    },
    remove: (request) => real.remove(request),
  };
  harness = await startRemoteHarness({
    providers: { fake: createRemoteFakeProvider() },
    preparer,
    config: { health: { ...defaultHealthConfig, probeIntervalMs: 300, probeTimeoutMs: 1_000 } },
  });
  await harness.trust(sshd);
  expect((await harness.register(sshd, 'box')).status).toBe(201);
});

afterAll(async () => {
  await harness?.close();
  await sshd?.stop();
});

describe('a connection dropped while a session starts', () => {
  it('starts the session again once the machine answers, and never fails it', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'cut-off start',
      prompt: 'work',
      agent: 'fake',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = harness.store.listSessions({ objectiveId })[0]!;
    await prepareReached;
    expect(harness.store.getSession(session.id).status).toBe('starting');

    // The machine goes away mid-start: the preparation's commands meet a dead connection.
    await sshd.down();
    letPrepare();
    await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
    await sshd.up();

    await harness.until(() => harness.store.getSession(session.id).status === 'running', 30_000);
    const changes = harness.store
      .listEvents({ after: 0, limit: 5_000 })
      .filter(
        (event): event is Extract<OrchaEvent, { type: 'session-status-change' }> =>
          event.type === 'session-status-change' && event.sessionId === session.id,
      );
    expect(changes.map((change) => change.to)).toEqual(['starting', 'queued', 'starting', 'running']);
    expect(changes[1]!.reason).toMatch(/^lost the connection to box while starting \(.+\); starting again$/);
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
    await harness.until(() => harness.store.getSession(session.id).status === 'canceled');
  });
});
