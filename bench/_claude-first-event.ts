// Part of benchmark `runtimes`: claude provider start → first event vs the bare CLI on the same fake server.
import { spawn } from 'node:child_process';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createLocalExecutor } from '@orcha/exec';
import {
  anthropicReply,
  claudeCliPath,
  createClaudeCliEnvironment,
  createTempDir,
  startFakeAnthropic,
} from '@orcha/testkit';

const args = [
  '-p',
  '--output-format',
  'stream-json',
  '--verbose',
  '--input-format',
  'stream-json',
  '--permission-mode',
  'bypassPermissions',
];
const userLine = (text: string) =>
  `${JSON.stringify({ type: 'user', message: { role: 'user', content: text } })}\n`;

/** Milliseconds from spawning the bare CLI to its first stdout line; the CLI is then killed. */
function bareFirstLine(env: Record<string, string>, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(claudeCliPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    child.stdin.write(userLine('say hi'));
    child.stdout.once('data', () => {
      resolve(performance.now() - started);
      child.kill('SIGKILL');
    });
    child.once('error', reject);
  });
}

export async function measureClaudeFirstEvent(): Promise<Record<string, number>> {
  const server = await startFakeAnthropic({ handler: () => anthropicReply.text('hi') });
  const cli = await createClaudeCliEnvironment({ baseUrl: server.url });
  const work = await createTempDir('orcha-bench-claude-');
  const executor = createLocalExecutor();
  const provider = createClaudeProvider({ command: claudeCliPath, env: cli.env });
  const bare: number[] = [];
  const ours: number[] = [];
  try {
    for (let i = 0; i < 12; i++) {
      bare.push(await bareFirstLine(cli.env, work.path));
      const started = performance.now();
      const run = await provider.start({
        sessionId: `ses_bench${i}`,
        prompt: 'say hi',
        cwd: work.path,
        executor,
      });
      for await (const _event of run.events) break;
      ours.push(performance.now() - started);
      await run.cancel();
      await run.wait();
    }
  } finally {
    await server.stop();
    await Promise.all([cli.remove(), work.remove()]);
  }
  // The first run of each warms the disk cache; compare the rest.
  const median = (values: number[]) =>
    [...values.slice(2)].sort((a, b) => a - b)[Math.floor((values.length - 2) / 2)]!;
  const bareP50 = median(bare);
  const oursP50 = median(ours);
  console.log(
    `claude first event: bare CLI p50 ${bareP50.toFixed(1)} ms, through the provider p50 ${oursP50.toFixed(1)} ms`,
  );
  return {
    claude_first_event_ratio: Math.round((oursP50 / bareP50) * 100) / 100,
    claude_first_event_p50_ms: Math.round(oursP50),
  };
}
