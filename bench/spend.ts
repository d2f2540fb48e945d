// `pnpm bench spend`: budgets that hold, failover, and the person told.
//   budget_overrun_calls_max  model calls made after an objective's model-call cap was reached, max over the
//                             trials of the fake agent (whose "model calls" last 20 ms each) and of the real
//                             claude CLI mid-turn (bench/_spend-claude.ts; goal 0 for agents that can be
//                             interrupted)
//   budget_stop_p99_ms        the usage report that reaches the cap → the agent's run stopped, the worse p99 of
//                             the two (goal < 500)
//   failover_p99_ms, handoff_tokens_max: measured by bench/_spend-failover.ts (real claude → codex CLIs)
//   notify_p99_ms, notify_lost: the notification outbox, as `pnpm bench notify` measures it
// Last line: {"bench":"spend",…}.
import { createFakeProvider } from '@orcha/agent';
import { createTempDir } from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';
import { measureNotify } from './_notify-measure.js';
import { measureClaudeBudget } from './_spend-claude.js';
import { measureFailover } from './_spend-failover.js';

const trials = 30;
const cap = 10;
const callMs = 20;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

/** Per objective (by its manager's prompt): when the capping report was made, and when the run was stopped. */
const marks = new Map<string, { reachedAt: number | null; stoppedAt: number | null }>();
const provider = createFakeProvider({
  script: async (agent) => {
    const mark = { reachedAt: null as number | null, stoppedAt: null as number | null };
    marks.set(/burn \d+/.exec(agent.prompt)?.[0] ?? agent.prompt, mark);
    try {
      for (let call = 1; call <= cap * 5; call++) {
        if (call === cap) mark.reachedAt = performance.now();
        agent.usage({ inputTokens: 1_000, outputTokens: 100, costUsd: 0.01, modelCalls: 1 });
        await agent.sleep(callMs);
      }
    } catch (error) {
      mark.stoppedAt = performance.now();
      throw error;
    }
    return 'never stopped';
  },
});

const dir = await createTempDir('orcha-bench-spend-');
const server = await startServer(
  parseConfig(['--port', '0', '--data-dir', dir.path, '--no-demo', '--schedule-interval', '50ms'], {}),
  { providers: { fake: provider } },
);
const { orchestrator } = server;
const overruns: number[] = [];
const stops: number[] = [];
for (let trial = 0; trial < trials; trial++) {
  const prompt = `burn ${trial}`;
  const { objective, manager } = await orchestrator.createObjective({
    title: `capped ${trial}`,
    prompt,
    budget: { modelCalls: cap },
  });
  const key = prompt;
  for (;;) {
    const mark = marks.get(key);
    const session = orchestrator.reads.getSession(manager.id);
    if (mark?.stoppedAt && session.status === 'paused') break;
    if (session.status === 'completed' || session.status === 'failed')
      throw new Error(`trial ${trial}: the run was not stopped (${session.status})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const mark = marks.get(key)!;
  overruns.push(orchestrator.reads.getSession(manager.id).usage.modelCalls - cap);
  stops.push(mark.stoppedAt! - mark.reachedAt!);
  await orchestrator.cancelObjective(objective.id, 'bench trial over');
}
await server.close();
await dir.remove();
const overrunMax = Math.max(...overruns);
const stopP99 = percentile(stops, 0.99);
console.log(
  `budget: ${trials} objectives capped at ${cap} model calls; calls after the cap max ${overrunMax}; ` +
    `cap reached → run stopped p50 ${percentile(stops, 0.5).toFixed(1)} ms, p99 ${stopP99.toFixed(1)} ms`,
);

// The same cap over the real claude CLI, stopped mid-turn (bench/_spend-claude.ts).
const claude = await measureClaudeBudget();
console.log(
  `budget (claude CLI): ${claude.trials} objectives capped mid-turn; calls after the cap max ${claude.overrunMax}; ` +
    `cap reached → run stopped p50 ${claude.stopP50} ms, p99 ${claude.stopP99} ms`,
);

// Failover: exhaustion → running on the next agent, and the handoff's size (bench/_spend-failover.ts).
const failover = await measureFailover();

const notify = await measureNotify();
console.log(
  JSON.stringify({
    bench: 'spend',
    budget_overrun_calls_max: Math.max(overrunMax, claude.overrunMax),
    budget_stop_p99_ms: Math.max(Math.round(stopP99 * 10) / 10, claude.stopP99),
    failover_p99_ms: failover.failover_p99_ms,
    handoff_tokens_max: failover.handoff_tokens_max,
    notify_p99_ms: notify.notify_p99_ms,
    notify_lost: notify.notify_lost,
  }),
);
