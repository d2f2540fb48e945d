// The dashboard costs what is active: its summary holds the active objectives, one page of the most recently
// finished ones and counts over everything; older history comes by `?before=` pages.
import { createFakeProvider } from '@orcha/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './harness.js';
import { openSse } from './sse-reader.js';

let harness: Harness;
/** Finished objective ids, in the order they finished. */
const finished: string[] = [];
const active: string[] = [];

beforeAll(async () => {
  const provider = createFakeProvider({ script: (agent) => agent.hang() });
  harness = await startHarness({ providers: { fake: provider } });
  for (let i = 0; i < 33; i++) {
    const { objective } = await harness.orchestrator.createObjective({
      title: `h${i}`,
      prompt: 'p',
      agent: 'fake',
    });
    if (i < 30) {
      await harness.orchestrator.cancelObjective(objective.id);
      finished.push(objective.id);
    } else active.push(objective.id);
  }
}, 60_000);
afterAll(() => harness.close({ remove: true }));

describe('GET /api/dashboard', () => {
  it('holds active objectives, the newest finished page and counts over all sessions', async () => {
    const { status, body } = await api(harness, 'GET', '/api/dashboard');
    expect(status).toBe(200);
    const ids: string[] = body.summary.objectives.map((objective: { id: string }) => objective.id);
    expect(ids.slice(0, 3).sort()).toEqual([...active].sort());
    // Ties in finish time are ordered by id, so compare the set of the newest 20.
    expect(new Set(ids.slice(3))).toEqual(new Set(finished.slice(10)));
    expect(
      new Set(body.summary.sessions.map((session: { objectiveId: string }) => session.objectiveId)),
    ).toEqual(new Set(ids));
    expect(body.summary.historyNext).toBe(ids[ids.length - 1]);
    expect(body.summary.counts.canceled).toBe(30);
    expect(body.summary.counts.canceled + body.summary.counts.running + body.summary.counts.starting).toBe(
      harness.store.listSessions({}).length,
    );
  });

  it('pages every finished objective exactly once, then says there is no more', async () => {
    const first = await api(harness, 'GET', '/api/dashboard');
    const seen: string[] = first.body.summary.objectives
      .slice(3)
      .map((objective: { id: string }) => objective.id);
    let next: string | null = first.body.summary.historyNext;
    while (next) {
      const page = await api(harness, 'GET', `/api/dashboard/history?before=${next}&limit=4`);
      expect(page.status).toBe(200);
      expect(page.body.objectives.length).toBeLessThanOrEqual(4);
      for (const session of page.body.sessions) expect(session).not.toHaveProperty('prompt');
      seen.push(...page.body.objectives.map((objective: { id: string }) => objective.id));
      next = page.body.next;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen)).toEqual(new Set(finished));
  });

  it('answers a bad cursor or limit with a clear error', async () => {
    const bad = await api(harness, 'GET', '/api/dashboard/history?before=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_argument');
    const unknown = await api(harness, 'GET', '/api/dashboard/history?before=obj_00000000000000000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const limit = await api(harness, 'GET', '/api/dashboard/history?limit=100000');
    expect(limit.status).toBe(400);
  });
});

describe('the change feed', () => {
  it('says hello with the latest event id only, whatever the history holds', async () => {
    const feed = await openSse(`${harness.url}/api/events`);
    try {
      await feed.until((messages) => messages.some((message) => message.event === 'hello'));
      const hello = feed.messages.find((message) => message.event === 'hello')!;
      expect(JSON.parse(hello.data)).toEqual({ latestEventId: harness.store.latestEventId() });
    } finally {
      await feed.close();
    }
  });
});
