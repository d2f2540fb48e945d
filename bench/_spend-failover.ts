// Part of benchmark `spend`: failover. Exhaustion → the session running on the next agent, measured with the
// real `claude` and `codex` CLIs on the fake model servers (claude's subscription usage limit mid-task), and
// the size of the handoff prompts, also for sessions with long transcripts and many changed files.
// Standalone: node --conditions=@orcha/source --import tsx bench/_spend-failover.ts
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AgentProvider } from '@orcha/agent';
import { createFakeProvider } from '@orcha/agent';
import { createClaudeProvider } from '@orcha/agent-claude';
import type { OrchaEvent } from '@orcha/model';
import {
  anthropicReply,
  claudeCliPath,
  codexCliPath,
  createClaudeCliEnvironment,
  createCodexHome,
  createTempDir,
  pendingToolResults,
  startFakeAnthropic,
  startFakeOpenAI,
  type TempDir,
} from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { type RunningServer, startServer } from '../apps/server/src/server.js';
// Not a dependency of the root package: imported from its source, as the server's modules are.
import { createCodexProvider } from '../packages/agent-codex/src/index.js';

export interface FailoverFigures {
  /** Exhaustion reported → the session running on the next agent, p99 over the real-CLI runs (ms). */
  failover_p99_ms: number;
  /** The largest handoff prompt built (estimated tokens; the bound is 4,000). */
  handoff_tokens_max: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** A manager that only idles: the workers here are created directly. */
const idleManager = () =>
  createFakeProvider({
    name: 'fake',
    script: async (agent) => {
      for (;;) await agent.waitForInput('idle');
    },
  });

async function serve(dir: TempDir, name: string, providers: Record<string, AgentProvider>) {
  const config = parseConfig(
    [
      '--no-demo',
      '--port',
      '0',
      '--data-dir',
      join(dir.path, name),
      '--schedule-interval',
      '200ms',
      '--fallback',
      'claude=codex',
    ],
    {},
  );
  return startServer(config, { providers });
}

/**
 * Runs `count` workers on claude, one after another; each is exhausted mid-task and continues on codex. The
 * clock runs from the provider-usage-change that marks claude spent to the worker's `running` on codex.
 */
async function failovers(
  server: RunningServer,
  count: number,
  prompt: (index: number) => string,
): Promise<{ latencies: number[]; tokens: number[] }> {
  const { orchestrator } = server;
  const { store } = orchestrator;
  const { objective, manager } = await orchestrator.createObjective({
    title: 'failover',
    prompt: 'p',
    agent: 'fake',
  });
  const latencies: number[] = [];
  const tokens: number[] = [];
  for (let index = 0; index < count; index++) {
    store.setProviderExhausted('claude', null); // the account reset: new work goes back to it
    let exhaustedAt: number | null = null;
    let workerId = '';
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`failover ${index} did not finish in 120 s`)), 120_000);
      const unsubscribe = store.subscribe((events: OrchaEvent[]) => {
        for (const event of events) {
          if (event.type === 'provider-usage-change' && event.provider === 'claude' && event.exhaustedUntil)
            exhaustedAt ??= performance.now();
          if (event.type !== 'session-status-change' || event.sessionId !== workerId) continue;
          if (event.to === 'running' && exhaustedAt !== null && store.getSession(workerId).agent === 'codex')
            latencies.push(performance.now() - exhaustedAt);
          if (event.to === 'completed' || event.to === 'failed' || event.to === 'canceled') {
            clearTimeout(timer);
            unsubscribe();
            if (event.to === 'completed') resolve();
            else reject(new Error(`worker ${workerId} ${event.to}: ${event.reason}`));
          }
        }
      });
    });
    workerId = store.createSession({
      objectiveId: objective.id,
      parentId: manager.id,
      role: 'worker',
      agent: 'claude',
      title: `part ${index}`,
      prompt: prompt(index),
    }).id;
    void orchestrator.tick();
    await done;
    const handoff = store
      .listMessages(workerId, { after: 0, limit: 1_000 })
      .findLast((message) => message.data?.type === 'handoff');
    if (!handoff) throw new Error(`worker ${workerId} got no handoff`);
    tokens.push(Number(handoff.data!.tokens));
  }
  return { latencies, tokens };
}

/** claude writes part one in a git checkout, and its next call hits the usage limit; codex finishes. */
async function realClis(dir: TempDir, runs: number) {
  const resetsAt = Math.floor(Date.now() / 1000) + 5 * 3600;
  const anthropic = await startFakeAnthropic({
    handler: (request) => {
      if (request.tools.length === 0) return anthropicReply.text('ok');
      if (pendingToolResults(request).length > 0) return anthropicReply.usageLimit(resetsAt);
      return anthropicReply.toolUse('Bash', {
        command: "git init -q && printf 'part one\\n' > part1.txt",
        description: 'Write part one',
      });
    },
  });
  const openai = await startFakeOpenAI({
    handler: () => ({ kind: 'output' as const, items: [{ type: 'message' as const, text: 'Finished.' }] }),
  });
  const claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url, auth: 'oauth' });
  const codexHome = await createCodexHome(openai);
  const server = await serve(dir, 'real', {
    fake: idleManager(),
    claude: createClaudeProvider({ command: claudeCliPath, env: claudeHome.env }),
    codex: createCodexProvider({
      command: codexCliPath,
      env: codexHome.env,
      config: codexHome.config as never,
      model: codexHome.model,
    }),
  });
  try {
    return await failovers(server, runs, (index) => `Write part1.txt and part2.txt (${index}).`);
  } finally {
    await server.close();
    await Promise.all([anthropic.stop(), openai.stop()]);
    await Promise.all([claudeHome.remove(), codexHome.remove()]);
  }
}

/** Scripted agents with long transcripts and hundreds of changed files: the handoff stays bounded. */
async function heavyTranscripts(dir: TempDir, runs: number) {
  const claude = createFakeProvider({
    name: 'claude',
    script: async (agent) => {
      await agent.run('git', ['init', '-q']);
      const files = 50 + ((agent.prompt.length * 37) % 400);
      for (let file = 0; file < files; file++)
        await agent.writeFile(`src/module-${file}.ts`, `export const n = ${file};\n`);
      for (let line = 0; line < 600; line++)
        agent.say(`step ${line}: ${'reasoning about the change '.repeat(1 + (line % 40))}`);
      return agent.exhaust(Date.now() + 3_600_000);
    },
  });
  const codex = createFakeProvider({
    name: 'codex',
    interactivity: 'noninteractive',
    script: async () => 'done',
  });
  const server = await serve(dir, 'heavy', { fake: idleManager(), claude, codex });
  try {
    return await failovers(
      server,
      runs,
      (index) => `${'A long task description. '.repeat(50 * (index + 1))}`,
    );
  } finally {
    await server.close();
  }
}

export async function measureFailover(options: { runs?: number } = {}): Promise<FailoverFigures> {
  const runs = options.runs ?? Number(process.env.BENCH_FAILOVER_RUNS ?? 12);
  const dir = await createTempDir('orcha-bench-failover-');
  try {
    const real = await realClis(dir, runs);
    const heavy = await heavyTranscripts(dir, 6);
    console.log(
      `failover (real claude → codex, ${real.latencies.length} runs): p50 ${percentile(real.latencies, 50).toFixed(0)} ms, p99 ${percentile(real.latencies, 99).toFixed(0)} ms, max ${Math.max(...real.latencies).toFixed(0)} ms`,
    );
    console.log(
      `failover (scripted agents, long transcripts): p50 ${percentile(heavy.latencies, 50).toFixed(0)} ms, p99 ${percentile(heavy.latencies, 99).toFixed(0)} ms`,
    );
    console.log(
      `handoff tokens: real runs max ${Math.max(...real.tokens)}, long transcripts max ${Math.max(...heavy.tokens)} (bound 4000)`,
    );
    return {
      failover_p99_ms: Math.round(percentile(real.latencies, 99)),
      handoff_tokens_max: Math.max(...real.tokens, ...heavy.tokens),
    };
  } finally {
    await dir.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await measureFailover();
  console.log(JSON.stringify({ bench: 'spend-failover', ...figures }));
  process.exit(0);
}
