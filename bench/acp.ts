// Benchmark `acp`: the real Gemini CLI over the Agent Client Protocol, through orcha's provider and with the
// bare SDK, against one fake Gemini API in the same run.
//   first_chunk_ratio  spawn → first message chunk through the provider vs the bare SDK (goal ≤ 1.2)
//   steer_p50_ms       a message on the live run → its turn's end, minus the same on a bare connection (< 20)
//   agent_rss_mb       the agent's resident memory after a turn (its process group)
// The last line is one JSON object `{"bench":"acp",…}`.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import * as acp from '@agentclientprotocol/sdk';
import type { AgentEvent, AgentRun } from '@orcha/agent';
import { createGeminiProvider, geminiQuietSettings } from '@orcha/agent-acp';
import { createLocalExecutor } from '@orcha/exec';
import {
  createAcpCliEnvironment,
  createTempDir,
  geminiCliPath,
  geminiReply,
  geminiUserTexts,
  startFakeGemini,
} from '@orcha/testkit';

const model = 'gemini-2.5-flash';
const rounds = 7;
const steers = 20;

const server = await startFakeGemini({
  handler: (request) =>
    geminiReply.text(/say (\w+)\s*$/.exec(geminiUserTexts(request).at(-1) ?? '')?.[1] ?? 'ok'),
});
const cli = await createAcpCliEnvironment({ agent: 'gemini', baseUrl: server.url });
const work = await createTempDir('orcha-bench-acp-');
// The settings the provider writes on first use; the bare runs share the HOME, so they get them from the start.
mkdirSync(join(cli.home, '.gemini'), { recursive: true });
writeFileSync(join(cli.home, '.gemini', 'settings.json'), JSON.stringify(geminiQuietSettings));
// What the provider sets up, so the bare runs are the same agent doing the same work.
const agentEnv = {
  ...cli.env,
  GEMINI_CLI_TRUST_WORKSPACE: 'true',
  GEMINI_CLI_NO_RELAUNCH: 'true',
  GEMINI_TELEMETRY_ENABLED: 'false',
};
const provider = createGeminiProvider({
  command: process.execPath,
  args: [geminiCliPath],
  model,
  env: cli.env,
});
const executor = createLocalExecutor();

/** The bare SDK: spawn, initialize, session/new, prompt; resolves at the first message chunk. */
async function bareSession() {
  const started = performance.now();
  const child = spawn(process.execPath, [geminiCliPath, '--acp', '-m', model], {
    cwd: work.path,
    env: { ...process.env, ...agentEnv },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let firstChunk: (() => void) | undefined;
  const connection = acp
    .client({ name: 'bench' })
    .onNotification('session/update', ({ params }) => {
      if (params.update.sessionUpdate === 'agent_message_chunk') firstChunk?.();
    })
    .connect(
      acp.ndJsonStream(
        Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
        Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
      ),
    );
  const agent = connection.agent;
  await agent.request('initialize', {
    protocolVersion: acp.PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
  });
  const { sessionId } = await agent.request('session/new', { cwd: work.path, mcpServers: [] });
  const chunk = new Promise<void>((resolve) => {
    firstChunk = resolve;
  });
  const prompt = (text: string) =>
    agent.request('session/prompt', { sessionId, prompt: [{ type: 'text', text }] });
  const turn = prompt('say hi');
  await chunk;
  const firstChunkMs = performance.now() - started;
  firstChunk = undefined;
  await turn;
  return {
    firstChunkMs,
    prompt,
    async close() {
      connection.close();
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Reads a run's events in the background; `next` waits for the first event matching. */
function reader(run: AgentRun) {
  const seen: AgentEvent[] = [];
  let wake: () => void = () => {};
  void (async () => {
    for await (const event of run.events) {
      seen.push(event);
      wake();
    }
    wake();
  })();
  let cursor = 0;
  return async (match: (event: AgentEvent) => boolean) => {
    for (;;) {
      while (cursor < seen.length) if (match(seen[cursor++] as AgentEvent)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
}

function rssMb(pgid: number): number {
  let kb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'latin1').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[3]) !== pgid) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'latin1'))?.[1];
      kb += Number(rss ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const round = (value: number) => Math.round(value * 100) / 100;

const bareFirst: number[] = [];
const oursFirst: number[] = [];
const bareSteer: number[] = [];
const oursSteer: number[] = [];
let rss = 0;
try {
  for (let i = 0; i < rounds; i++) {
    const bare = await bareSession();
    bareFirst.push(bare.firstChunkMs);
    if (i === rounds - 1) {
      for (let s = 0; s < steers; s++) {
        const started = performance.now();
        await bare.prompt(`say bare${s}`);
        bareSteer.push(performance.now() - started);
      }
    }
    await bare.close();

    let pgid = 0;
    const started = performance.now();
    const run = await provider.start({
      sessionId: `ses_bench${i}`,
      prompt: 'say hi',
      cwd: work.path,
      executor: {
        ...executor,
        async spawn(command, args, options) {
          const handle = await executor.spawn(command, args, options);
          pgid = handle.pid ?? 0;
          return handle;
        },
      },
    });
    const next = reader(run);
    await next((event) => event.type === 'text');
    oursFirst.push(performance.now() - started);
    await next((event) => event.type === 'turn-complete');
    rss = Math.max(rss, rssMb(pgid));
    if (i === rounds - 1) {
      for (let s = 0; s < steers; s++) {
        const sent = performance.now();
        await run.send(`say ours${s}`);
        await next((event) => event.type === 'turn-complete');
        oursSteer.push(performance.now() - sent);
      }
    }
    await run.cancel();
    await run.wait();
  }
} finally {
  await server.stop();
  await Promise.all([cli.remove(), work.remove()]);
}

// The first round warms the disk cache for both; compare the rest.
const bareP50 = percentile(bareFirst.slice(1), 50);
const oursP50 = percentile(oursFirst.slice(1), 50);
const steerBare = percentile(bareSteer, 50);
const steerOurs = percentile(oursSteer, 50);
console.log(
  `gemini spawn → first chunk: bare SDK p50 ${bareP50.toFixed(1)} ms, through the provider p50 ${oursP50.toFixed(1)} ms`,
);
console.log(
  `a message on the live run → turn end: bare p50 ${steerBare.toFixed(1)} ms, through the provider p50 ${steerOurs.toFixed(1)} ms`,
);
console.log(`gemini resident memory after a turn: ${rss.toFixed(0)} MB`);
console.log(
  JSON.stringify({
    bench: 'acp',
    first_chunk_ratio: round(oursP50 / bareP50),
    steer_p50_ms: round(steerOurs - steerBare),
    agent_rss_mb: Math.round(rss),
  }),
);
