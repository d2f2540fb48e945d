// Benchmark `runtimes`: the agent runtime layer against raw baselines measured in the same run.
//   tmux_start_ratio   session start through the controller vs raw `tmux new-session -d` (goal ≤ 2)
//   tmux_steer_p50_ms  text typed and its Enter confirmed taken by a program on the pane (goal < 50 ms)
//   spawn_ratio        spawn + exit of /bin/true through the local Executor vs raw child_process.spawn
//   claude_first_event_ratio  claude provider start → first event vs the bare CLI on one fake server (≤ 1.2)
// The last line is one JSON object `{"bench":"runtimes",…}`.
import { spawn } from 'node:child_process';
import { createLocalExecutor } from '@orcha/exec';
import { createPrivateTmux, createTempDir, scriptedTuiPath } from '@orcha/testkit';
import { createTmuxController } from '@orcha/tmux';
import { measureClaudeFirstEvent } from './_claude-first-event.js';

type Figures = Record<string, number>;

/** The measurements, in order. Each returns its keys for the final JSON line. */
const measurements: Array<{ name: string; run: () => Promise<Figures> }> = [
  { name: 'tmux start', run: measureTmuxStart },
  { name: 'tmux steer', run: measureTmuxSteer },
  { name: 'local spawn', run: measureSpawn },
  { name: 'claude first event', run: measureClaudeFirstEvent },
];

const executor = createLocalExecutor();

async function measureTmuxStart(): Promise<Figures> {
  const server = createPrivateTmux('bench-start');
  const temp = await createTempDir('orcha-bench-');
  const tmux = createTmuxController({ executor, socketName: server.socketName, logDir: `${temp.path}/logs` });
  try {
    // Start the server and warm both paths before timing.
    await server.tmux(['new-session', '-d', '-s', 'warm-raw', 'sleep 1000']);
    await tmux.newSession({ name: 'warm-ctl', cwd: temp.path, command: ['sleep', '1000'] });
    const raw: number[] = [];
    const controller: number[] = [];
    for (let i = 0; i < 40; i++) {
      let started = performance.now();
      const result = await server.tmux([
        'new-session',
        '-d',
        '-s',
        `raw-${i}`,
        '-c',
        temp.path,
        'sleep 1000',
      ]);
      raw.push(performance.now() - started);
      if (result.code !== 0) throw new Error(result.stderr);
      started = performance.now();
      await tmux.newSession({ name: `ctl-${i}`, cwd: temp.path, command: ['sleep', '1000'] });
      controller.push(performance.now() - started);
    }
    const rawP50 = percentile(raw, 50);
    const controllerP50 = percentile(controller, 50);
    console.log(
      `tmux new-session raw p50 ${rawP50.toFixed(2)} ms, through the controller p50 ${controllerP50.toFixed(2)} ms`,
    );
    return { tmux_start_ratio: round(controllerP50 / rawP50), tmux_start_p50_ms: round(controllerP50) };
  } finally {
    await server.kill();
    await temp.remove();
  }
}

async function measureTmuxSteer(): Promise<Figures> {
  const server = createPrivateTmux('bench-steer');
  const temp = await createTempDir('orcha-bench-');
  const tmux = createTmuxController({ executor, socketName: server.socketName, logDir: `${temp.path}/logs` });
  try {
    await tmux.newSession({ name: 'steer', cwd: temp.path, command: ['node', scriptedTuiPath] });
    const ready = new AbortController();
    for await (const chunk of tmux.followPane('steer', { signal: ready.signal })) {
      if (Buffer.from(chunk.data).toString().includes('ready')) ready.abort();
    }
    const times: number[] = [];
    let lost = 0;
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      const result = await tmux.sendText('steer', `message number ${i}`);
      times.push(performance.now() - started);
      if (!result.entered || result.enterAttempts > 1) lost++;
    }
    const log = Buffer.from((await tmux.readPane('steer')).data).toString();
    const delivered = log.match(/got: message number \d+/g)?.length ?? 0;
    const p50 = percentile(times, 50);
    console.log(
      `tmux steer p50 ${p50.toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms; ` +
        `${delivered}/100 delivered, ${lost} Enter retries`,
    );
    return { tmux_steer_p50_ms: round(p50), tmux_steer_delivered: delivered };
  } finally {
    await server.kill();
    await temp.remove();
  }
}

async function measureSpawn(): Promise<Figures> {
  const rawSpawn = () =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.once('error', reject);
      child.once('close', () => resolve());
      child.stdin.end();
      child.stdout.resume();
      child.stderr.resume();
    });
  const viaExecutor = async () => {
    const handle = await executor.spawn('/bin/true', []);
    await handle.closeStdin();
    await Promise.all([drain(handle.stdout), drain(handle.stderr), handle.wait()]);
  };
  for (let i = 0; i < 20; i++) {
    await rawSpawn();
    await viaExecutor();
  }
  const raw: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < 200; i++) {
    let started = performance.now();
    await rawSpawn();
    raw.push(performance.now() - started);
    started = performance.now();
    await viaExecutor();
    ours.push(performance.now() - started);
  }
  const rawP50 = percentile(raw, 50);
  const oursP50 = percentile(ours, 50);
  console.log(
    `spawn /bin/true raw p50 ${rawP50.toFixed(2)} ms, through the Executor p50 ${oursP50.toFixed(2)} ms`,
  );
  return { spawn_ratio: round(oursP50 / rawP50) };
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of stream);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const figures: Figures = {};
for (const measurement of measurements) {
  console.log(`-- ${measurement.name}`);
  Object.assign(figures, await measurement.run());
}
console.log(JSON.stringify({ bench: 'runtimes', ...figures }));
