// Part of `pnpm bench orch`: 200 objectives (fake agents: a manager + 3 workers each) created at once on
// --max-concurrent 8, against the ideal — the agents' own busy time in the same run, perfectly packed into
// 8 slots. Goal: objectives_200_cap8_s within 1.3× objectives_200_ideal_s.
import { createFakeProvider, type FakeAgent } from '@orcha/agent';
import { createTempDir } from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';

const cap = 8;
const workMs = 100;
const terminal = new Set(['completed', 'failed', 'canceled']);

export async function packing(objectives = 200): Promise<{ elapsedS: number; idealS: number }> {
  let busyMs = 0;
  /** Counts the time a run works, not the time it waits for a message. */
  const timed = async (agent: FakeAgent, work: (wait: () => Promise<string>) => Promise<string>) => {
    let since = performance.now();
    const wait = async () => {
      busyMs += performance.now() - since;
      try {
        return await agent.waitForInput();
      } finally {
        since = performance.now(); // also when the wait ends by a suspension: waiting is not work
      }
    };
    try {
      return await work(wait);
    } finally {
      busyMs += performance.now() - since;
    }
  };
  const provider = createFakeProvider({
    script: (agent) =>
      timed(agent, async (wait) => {
        if (!agent.spec.systemPrompt?.startsWith('You are the manager')) {
          await agent.sleep(workMs);
          return 'done';
        }
        if (!agent.resumed) {
          for (let i = 0; i < 3; i++)
            await agent.callTool('spawn_session', { title: `w${i}`, prompt: 'work' });
        }
        for (;;) {
          const { sessions } = (await agent.callTool('list_sessions')) as {
            sessions: { role: string; status: string }[];
          };
          const workers = sessions.filter((s) => s.role === 'worker');
          if (workers.length === 3 && workers.every((w) => terminal.has(w.status))) {
            await agent.callTool('mark_objective_done', { summary: 'done' });
            return 'done';
          }
          await wait();
        }
      }),
  });
  const dir = await createTempDir('orcha-bench-packing-');
  const server = await startServer(
    parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo', '--max-concurrent', String(cap)], {}),
    { providers: { fake: provider } },
  );
  const { orchestrator } = server;
  const { store } = orchestrator;
  try {
    const started = performance.now();
    const ids = await Promise.all(
      Array.from(
        { length: objectives },
        async (_, i) => (await orchestrator.createObjective({ title: `o${i}`, prompt: 'p' })).objective.id,
      ),
    );
    await new Promise<void>((resolve, reject) => {
      let left = new Set(ids);
      const timer = setTimeout(
        () => reject(new Error(`${left.size} objectives not done after 10 minutes`)),
        600_000,
      );
      const check = () => {
        left = new Set([...left].filter((id) => store.getObjective(id).status !== 'done'));
        if (left.size > 0) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const unsubscribe = store.subscribe((events) => {
        // A failed session means a broken run, not a slow one: say so at once instead of at the timeout.
        const failed = events.find(
          (event) => event.type === 'session-status-change' && event.to === 'failed',
        );
        if (failed?.type === 'session-status-change') {
          clearTimeout(timer);
          unsubscribe();
          reject(new Error(`session ${failed.sessionId} failed: ${failed.reason}`));
          return;
        }
        if (events.some((event) => event.type === 'objective-status-change')) check();
      });
      check();
    });
    const elapsed = (performance.now() - started) / 1000;
    const ideal = busyMs / cap / 1000;
    return { elapsedS: Math.round(elapsed * 100) / 100, idealS: Math.round(ideal * 100) / 100 };
  } finally {
    await server.close();
    await dir.remove();
  }
}
