// Part of benchmark `spend`: a budget over the real `claude` CLI on the fake Anthropic server. Each trial's
// manager works in one long turn of quick Bash calls; its objective is capped at `cap` model calls. claude
// reports each call as its message arrives, and orcha interrupts the turn — racing claude's next call, which
// follows a quick tool within tens of milliseconds.
// Standalone: node --conditions=@orcha/source --import tsx bench/_spend-claude.ts
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClaudeProvider } from '@orcha/agent-claude';
import {
  anthropicReply,
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  startFakeAnthropic,
} from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';

export interface ClaudeBudgetFigures {
  /** Model calls the fake model received beyond the cap, max over the trials. */
  overrunMax: number;
  /** The store's record of the call that reached the cap → claude's process gone (ms), p50 and p99. */
  stopP50: number;
  stopP99: number;
  trials: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export async function measureClaudeBudget(trials = 10, cap = 3): Promise<ClaudeBudgetFigures> {
  const anthropic = await startFakeAnthropic({
    handler: () => anthropicReply.toolUse('Bash', { command: 'echo step', description: 'step' }),
  });
  const claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  const dir = await createTempDir('orcha-bench-spend-claude-');
  const server = await startServer(
    parseConfig(
      ['--no-demo', '--port', '0', '--data-dir', join(dir.path, 'data'), '--schedule-interval', '50ms'],
      {},
    ),
    { providers: { claude: createClaudeProvider({ command: claudeCliPath, env: claudeHome.env }) } },
  );
  const { orchestrator } = server;
  const overruns: number[] = [];
  const stops: number[] = [];
  try {
    for (let trial = 0; trial < trials; trial++) {
      const before = anthropic.requests.length;
      let reachedAt: number | null = null;
      let managerId = '';
      const unsubscribe = orchestrator.store.subscribe((events) => {
        for (const event of events)
          if (
            reachedAt === null &&
            event.type === 'session-update' &&
            event.sessionId === managerId &&
            (event.usage?.modelCalls ?? 0) >= cap
          )
            reachedAt = performance.now();
      });
      const { objective, manager } = await orchestrator.createObjective({
        title: `capped ${trial}`,
        prompt: `step until stopped ${trial}`,
        agent: 'claude',
        budget: { modelCalls: cap },
      });
      managerId = manager.id;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const session = orchestrator.reads.getSession(manager.id);
        if (session.status === 'paused' && orchestrator.liveRun(manager.id) === null && reachedAt !== null)
          break;
        if (session.status === 'completed' || session.status === 'failed' || Date.now() > deadline)
          throw new Error(`trial ${trial}: the claude run was not stopped (${session.status})`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      stops.push(performance.now() - reachedAt!);
      unsubscribe();
      overruns.push(anthropic.requests.length - before - cap);
      await orchestrator.cancelObjective(objective.id, 'bench trial over');
    }
  } finally {
    await server.close();
    await anthropic.stop();
    await claudeHome.remove();
    await dir.remove();
  }
  return {
    overrunMax: Math.max(...overruns),
    stopP50: Math.round(percentile(stops, 50) * 10) / 10,
    stopP99: Math.round(percentile(stops, 99) * 10) / 10,
    trials,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ bench: 'spend-claude', ...(await measureClaudeBudget()) }));
  process.exit(0);
}
