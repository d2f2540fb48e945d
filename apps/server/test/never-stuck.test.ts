import { createFakeProvider } from '@orcha/agent';
import { activeSessionStatuses } from '@orcha/model';
import type { Store } from '@orcha/store';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { type Harness, startHarness } from './harness.js';
import { byRole, untilWorkersEnd } from './scripts.js';
import { until } from './until.js';

let server: RunningServer | null = null;
let harness: Harness | null = null;
let dir: TempDir | null = null;
afterEach(async () => {
  await server?.close();
  await harness?.close({ remove: true });
  await dir?.remove();
  server = harness = dir = null;
});

/** Answers each question when it opens, as the person at the dashboard would. Returns the unsubscribe. */
function answerEveryQuestion(store: Store, answer: (questionId: string) => Promise<unknown>): () => void {
  const answered = new Set<string>();
  return store.subscribe((events) => {
    for (const event of events) {
      if (event.type !== 'question-open' || answered.has(event.questionId)) continue;
      answered.add(event.questionId);
      void answer(event.questionId);
    }
  });
}

/** The most sessions holding a slot at once, from the status events. */
function peakActive(store: Store): { peak: () => number; stop: () => void } {
  const active = new Set<string>();
  let peak = 0;
  const stop = store.subscribe((events) => {
    for (const event of events) {
      if (event.type !== 'session-status-change') continue;
      if (activeSessionStatuses.includes(event.to)) active.add(event.sessionId);
      else active.delete(event.sessionId);
      peak = Math.max(peak, active.size);
    }
  });
  return { peak: () => peak, stop };
}

/** Where the sessions are, for the failure message of a run that did not finish. */
function progress(store: Store): string {
  const counts = new Map<string, number>();
  for (const s of store.listSessions({})) {
    const key = `${s.role}:${s.status}${s.statusReason ? ` (${s.statusReason.slice(0, 60)})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return JSON.stringify(Object.fromEntries(counts));
}

describe('never stuck: idle sessions give their slots back', () => {
  it('finishes 10 objectives created at once on the default flags (the reported deadlock)', {
    timeout: 120_000,
  }, async () => {
    dir = await createTempDir('orcha-never-stuck-');
    server = await startServer(parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo'], {}));
    const running = server;
    const { store } = running.orchestrator;
    expect(running.orchestrator.config.maxConcurrent).toBe(8);
    const stopAnswering = answerEveryQuestion(store, (id) =>
      fetch(`${running.url}/api/questions/${id}/answer`, {
        method: 'POST',
        body: JSON.stringify({ answer: 'feature flag' }),
      }),
    );
    const slots = peakActive(store);
    // The reporter's loop: curl -X POST localhost:8080/api/objectives -d '{"title":"o$i","prompt":"p"}'
    const ids: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const response = await fetch(`${running.url}/api/objectives`, {
        method: 'POST',
        body: JSON.stringify({ title: `o${i}`, prompt: 'p' }),
      });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { objective: { id: string } }).objective.id);
    }
    await until(store, () => ids.every((id) => store.getObjective(id).status === 'done'), {
      timeoutMs: 110_000,
    }).catch((error) => {
      throw new Error(`${error}; sessions by role and status: ${progress(store)}`);
    });
    stopAnswering();
    slots.stop();
    expect(slots.peak()).toBeLessThanOrEqual(8);
    for (const id of ids) {
      const sessions = store.listSessions({ objectiveId: id });
      expect(sessions.map((s) => `${s.role}:${s.status}`).sort()).toEqual([
        'manager:completed',
        'worker:completed',
        'worker:completed',
        'worker:completed',
      ]);
    }
  });

  // 10× the default cap of 8: 80 objectives, 320 sessions, every manager idling while its workers need slots.
  it('finishes 10× the default cap of objectives started at once, within the cap', {
    timeout: 180_000,
  }, async () => {
    // Each manager spawns 3 workers, idles until they end (suspended and resumed when its slot is wanted), and
    // marks its objective done.
    const provider = createFakeProvider({
      script: byRole({
        manager: async (agent) => {
          if (!agent.resumed)
            for (let i = 0; i < 3; i++)
              await agent.callTool('spawn_session', { title: `w${i}`, prompt: 'p' });
          await untilWorkersEnd(agent);
          await agent.callTool('mark_objective_done', { summary: 'all three workers ended' });
          return 'done';
        },
        worker: async (agent) => {
          await agent.sleep(2);
          return 'ok';
        },
      }),
    });
    harness = await startHarness({ providers: { fake: provider } });
    const cap = harness.orchestrator.config.maxConcurrent;
    expect(cap).toBe(8);
    const { store, orchestrator } = harness;
    const slots = peakActive(store);
    const ids = await Promise.all(
      Array.from(
        { length: 10 * cap },
        async (_, i) => (await orchestrator.createObjective({ title: `o${i}`, prompt: 'p' })).objective.id,
      ),
    );
    await harness
      .until(() => ids.every((id) => store.getObjective(id).status === 'done'), 170_000)
      .catch((error) => {
        throw new Error(`${error}; sessions by role and status: ${progress(store)}`);
      });
    slots.stop();
    expect(slots.peak()).toBeLessThanOrEqual(cap);
    expect(store.listSessions({ statuses: ['completed'] })).toHaveLength(ids.length * 4);
    // Nothing holds a slot or a process once the work is done.
    expect(Object.values(store.targetLoad()).reduce((a, b) => a + b, 0)).toBe(0);
    // The last managers' processes end right after the turn that marked their objectives done.
    await until(store, () => store.listSessions({}).every((session) => !orchestrator.liveRun(session.id)), {
      pollMs: 20,
    });
  });
});
