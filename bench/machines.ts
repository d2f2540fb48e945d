// Benchmark `machines`: targets that fail, on real loopback sshds with real faults.
//   offline_detect_s         a target whose sshd (and every connection process of it) dies, seen offline, at
//                            the default probe interval (goal ≤ 10 s)
//   reconnect_resume_p99_ms  a tmux agent's output reaching the transcript again after sshd is back, over
//                            10 drops (goal p99 < 2,000 ms); every line checked present once
//   reconnect_resume_headless_p99_ms
//                            the same for a headless agent, whose process runs detached on the target (its
//                            output spooled there, followed from the last byte read): its CLI is a shell loop
//                            printing numbered lines, spawned through the session's agent executor as every
//                            headless provider spawns its CLI, each line said into the transcript; 10 drops
//                            (goal p99 < 2,000 ms); every line checked present once, in order
//   reboot_resume_s          10 sessions on a target that "reboots" (every process killed, new boot id, sshd
//                            back) running again (goal ≤ 10 s)
//   oom_kills                20 memory-hungry agents (≈100 MB each) offered to a target whose free memory fits
//                            5: agents killed by SIGKILL (goal 0); max_admitted_at_once says how many ran
//   remote_steer_ratio       steering a tmux agent (text, then a confirmed Enter: the tmux controller's
//                            `sendText`, which the tmux agent's `send` is) on an SSH target whose account's
//                            shell sleeps 200 ms at every start (BASH_ENV), p50 over p50 of the same on the
//                            local target (goal ≤ 1.5); every tmux command rides a pooled shell, no channel
//   follow_start_ms          starting to follow a tmux agent's pane log (first byte of its log in hand) on
//                            that slow-shell SSH target while 20 other sessions there are followed, p50;
//                            follow_start_channel_ms is the same through a channel of its own (`tail -f`,
//                            as every follow took before they shared the target's follow channel), and
//                            follow_channels the channels starting the 20 follows opened (the pooled
//                            command shells their pane status reads grew included)
// The last line is one JSON object `{"bench":"machines",…}`.

import { randomInt } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createFakeProvider } from '@orcha/agent';
import { createTmuxProvider } from '@orcha/agent-tmux';
import { createApi } from '@orcha/api';
import { createOrchestrator, defaultHealthConfig, type HealthConfig, type Orchestrator } from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import { createSshExecutor, createSshExecutorPool } from '@orcha/exec-ssh';
import { createFakeForge } from '@orcha/forge';
import { createIdGenerator, type Session } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { createTempDir, type LoopbackSshd, scriptedTuiPath, startSshd, type TempDir } from '@orcha/testkit';
import { createTmuxController, type TmuxController } from '@orcha/tmux';
import { createScratchPreparer } from '@orcha/workspace';

type Figures = Record<string, number>;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const ids = createIdGenerator(Date.now, () => randomInt(32));
const here = createLocalExecutor();

/** Resolves when `predicate` holds, checked after every store event and every 20 ms. */
function until(store: Store, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!predicate()) return;
      stop();
      resolve();
    };
    const unsubscribe = store.subscribe(check);
    const poll = setInterval(check, 20);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`not reached within ${timeoutMs} ms: ${predicate}`));
    }, timeoutMs);
    const stop = () => {
      unsubscribe();
      clearInterval(poll);
      clearTimeout(timer);
    };
    check();
  });
}

/** Waits until no process matching `pattern` is left (the agents' remote processes are killed on cancel). */
async function untilGone(pattern: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if ((await here.run('pgrep', ['-f', pattern])).stdout.trim() === '') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const left = (await here.run('pgrep', ['-af', pattern])).stdout.trim();
  throw new Error(`processes matching ${pattern} were left running:\n${left}`);
}

interface Rig {
  sshd: LoopbackSshd;
  temp: TempDir;
  store: Store;
  orchestrator: Orchestrator;
  bootIdPath: string;
  close(): Promise<void>;
}

/** One loopback sshd registered as target `box`, behind a real orchestrator on real SQLite. */
async function rig(
  providers: Parameters<typeof createOrchestrator>[0]['providers'],
  health: Partial<HealthConfig> = {},
  capacity = 4,
): Promise<Rig> {
  const temp = await createTempDir('orcha-bench-machines-');
  const sshd = await startSshd();
  const bootIdPath = join(sshd.dir, 'boot_id');
  await writeFile(bootIdPath, 'boot-1\n');
  const knownHostsFile = join(temp.path, 'known_hosts');
  await writeFile(knownHostsFile, `${sshd.hostKeyLine}\n`);
  const ssh = createSshExecutorPool({ knownHostsFile });
  const store = createStore({ path: join(temp.path, 'orcha.db'), clock: Date.now, ids });
  const orchestrator = createOrchestrator({
    store,
    providers,
    executorFor: (target) => ssh.executorFor(target),
    forge: createFakeForge(),
    preparer: createScratchPreparer(),
    config: {
      maxConcurrent: 100,
      scheduleIntervalMs: 200,
      agentCliRequired: false,
      feedbackPollMs: 600_000,
      health: { ...defaultHealthConfig, bootIdPath, ...health },
    },
  });
  // The real API on loopback: agents (and the doctor's tunnel check) reach orcha through the target's tunnel.
  const app = createApi({
    orchestrator,
    info: { version: 'bench', fakeAgents: true, agents: Object.keys(providers), forge: 'fake' },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening));
  });
  const address = server.address();
  orchestrator.config.mcpBaseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const registered = await orchestrator.registerTarget({
    name: 'box',
    kind: 'ssh',
    host: sshd.host,
    user: sshd.user,
    port: sshd.port,
    identityFile: sshd.identityFile,
    workRoot: join(sshd.dir, 'work'),
    capacitySessions: capacity,
  });
  if (registered.target.status !== 'online') {
    await sshd.stop();
    throw new Error(
      `box is not online: ${JSON.stringify(registered.doctor.checks.filter((check) => !check.ok))}`,
    );
  }
  await orchestrator.start();
  return {
    sshd,
    temp,
    store,
    orchestrator,
    bootIdPath,
    async close() {
      await orchestrator.stop();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ssh.close();
      store.close();
      await sshd.stop();
      await temp.remove();
    },
  };
}

async function measureOfflineDetect(): Promise<Figures> {
  const { store, sshd, close } = await rig({ fake: createFakeProvider() });
  try {
    await until(store, () => Boolean(store.getTarget('box').health?.answeredAt));
    const start = performance.now();
    await sshd.down();
    await until(store, () => store.getTarget('box').status === 'offline');
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `offline seen ${seconds.toFixed(2)} s after the sshd died (probe every ${defaultHealthConfig.probeIntervalMs} ms, offline after ${defaultHealthConfig.missedProbesOffline} missed)`,
    );
    return { offline_detect_s: round(seconds) };
  } finally {
    await sshd.up();
    await close();
  }
}

/** Numbers lines as the ticker agents print them: `tick-1`, `tick-2`, …; true when each is there once, in order. */
function ticksIntact(text: string): { count: number; intact: boolean } {
  const ticks = (text.match(/tick-\d+/g) ?? []).map((tick) => Number(tick.slice(5)));
  return { count: ticks.length, intact: ticks.every((tick, index) => tick === index + 1) };
}

/** p50 and p99 of samples (nearest rank). */
function percentiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))]!;
  return { p50: rank(0.5), p99: rank(0.99) };
}

async function measureReconnect(): Promise<Figures> {
  const socket = `orcha-bench-${process.pid}`;
  const tmux = createTmuxProvider({
    name: 'tmux',
    socketName: socket,
    typePrompt: false,
    command: () => ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick-$i"; sleep 0.05; done'],
  });
  const { store, sshd, orchestrator, close } = await rig(
    { tmux },
    { probeIntervalMs: 300, tmuxSocket: socket },
  );
  const text = (id: string) =>
    store
      .listMessages(id, { after: 0, limit: 5_000 })
      .map((message) => message.text)
      .join('');
  const samples: number[] = [];
  try {
    const { manager } = await orchestrator.createObjective({ title: 'ticks', prompt: 'tick', agent: 'tmux' });
    samples.push(...(await dropTenTimes(store, sshd, () => text(manager.id))));
    const { count, intact } = ticksIntact(text(manager.id));
    if (!intact) throw new Error('the transcript lost or doubled a line');
    const { p50, p99 } = percentiles(samples);
    console.log(
      `10 drops of the connection: output resumed p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms after sshd was back; ${count} lines, none lost or doubled`,
    );
    return { reconnect_resume_p99_ms: Math.round(p99) };
  } finally {
    await close();
    await here.run('tmux', ['-L', socket, 'kill-server']).catch(() => {});
  }
}

/**
 * Drops the target's connection ten times under an agent that prints ticks: each time, from sshd back up to
 * the agent's output arriving again (it wrote on meanwhile, in tmux or its spool), ms.
 */
async function dropTenTimes(store: Store, sshd: LoopbackSshd, transcript: () => string): Promise<number[]> {
  await until(store, () => transcript().includes('tick-3'));
  const samples: number[] = [];
  for (let drop = 0; drop < 10; drop++) {
    await sshd.down();
    await until(store, () => (store.getTarget('box').health?.missed ?? 0) >= 1);
    const seen = transcript().length;
    const start = performance.now();
    await sshd.up();
    await until(store, () => transcript().length > seen + 20);
    samples.push(performance.now() - start);
  }
  return samples;
}

async function measureReconnectHeadless(): Promise<Figures> {
  const ticker = 'i=0; while :; do i=$((i+1)); echo "tick-$i"; sleep 0.05; done';
  const headless = createFakeProvider({
    name: 'headless',
    interactivity: 'noninteractive',
    script: async (agent) => {
      // On the SSH target the session's agent executor runs this detached from the connection.
      const child = await agent.spec.executor.spawn('sh', ['-c', ticker], {
        cwd: agent.spec.cwd,
        env: agent.spec.env,
      });
      const stop = () => void child.kill().catch(() => {});
      agent.signal.addEventListener('abort', stop, { once: true });
      void (async () => {
        for await (const _ of child.stderr) {
          // nothing to keep
        }
      })();
      let rest = '';
      for await (const chunk of child.stdout) {
        const lines = (rest + Buffer.from(chunk).toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) agent.say(line);
      }
      await child.wait();
      return 'ticker ended';
    },
  });
  const { store, sshd, orchestrator, close } = await rig({ headless }, { probeIntervalMs: 300 });
  const text = (id: string) =>
    store
      .listMessages(id, { after: 0, limit: 10_000 })
      .map((message) => message.text)
      .join('\n');
  const samples: number[] = [];
  try {
    const { objective, manager } = await orchestrator.createObjective({
      title: 'headless ticks',
      prompt: 'tick',
      agent: 'headless',
    });
    samples.push(...(await dropTenTimes(store, sshd, () => text(manager.id))));
    const { count, intact } = ticksIntact(text(manager.id));
    if (!intact) throw new Error('the transcript lost or doubled a line');
    if (store.getSession(manager.id).status !== 'running')
      throw new Error(`the session is ${store.getSession(manager.id).status}, not running on`);
    const { p50, p99 } = percentiles(samples);
    console.log(
      `10 drops under a headless (detached) agent: output resumed p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms after sshd was back; ${count} lines, none lost or doubled; samples ${samples.map((ms) => ms.toFixed(0)).join(', ')}`,
    );
    await orchestrator.cancelObjective(objective.id);
    await untilGone('tick-[$]i');
    return { reconnect_resume_headless_p99_ms: Math.round(p99) };
  } finally {
    await close();
  }
}

async function measureReboot(): Promise<Figures> {
  const tag = `orcha-bench-reboot-${process.pid}`;
  const fake = createFakeProvider({
    name: 'fake',
    script: async (agent) => {
      if (agent.spec.systemPrompt?.startsWith('You are the manager')) return agent.hang();
      if (agent.resumed) return agent.hang(); // running again, on its conversation
      await agent.run('sh', ['-c', `sleep 1000; : ${tag}`]);
      return 'ended';
    },
  });
  const { store, sshd, orchestrator, bootIdPath, close } = await rig({ fake }, {}, 12);
  try {
    const { objective, manager } = await orchestrator.createObjective({ title: 'reboot', prompt: 'wait' });
    const workers: Session[] = [];
    for (let n = 0; n < 10; n++)
      workers.push(
        store.createSession({
          objectiveId: objective.id,
          parentId: manager.id,
          role: 'worker',
          agent: 'fake',
          title: `worker ${n}`,
          prompt: 'work',
          workspaceKind: 'scratch',
          interactivity: 'interactive',
        }),
      );
    await orchestrator.tick();
    const running = () => workers.every((worker) => store.getSession(worker.id).status === 'running');
    await until(store, running);
    await until(store, () => store.getTarget('box').health?.bootId === 'boot-1');
    await sshd.down();
    const pids = (await here.run('pgrep', ['-f', tag])).stdout.split('\n').filter(Boolean);
    for (const pid of pids) {
      const group = Number((await here.run('ps', ['-o', 'pgid=', '-p', pid])).stdout.trim());
      if (group > 1 && group !== process.pid) process.kill(-group, 'SIGKILL');
    }
    await writeFile(bootIdPath, 'boot-2\n');
    const start = performance.now();
    await sshd.up();
    const requeued = () =>
      workers.every((worker) =>
        store
          .listEvents({ after: 0, limit: 5_000 })
          .some(
            (event) =>
              event.type === 'session-status-change' &&
              event.sessionId === worker.id &&
              event.reason?.includes('rebooted') === true,
          ),
      );
    await until(store, () => requeued() && running());
    const seconds = (performance.now() - start) / 1000;
    const failed = store.listSessions({ objectiveId: objective.id, statuses: ['failed'] });
    if (failed.length > 0)
      throw new Error(
        `${failed.length} session(s) failed: ${failed.map((s) => `${s.role} ${s.title}: ${s.statusReason}`).join('; ')}`,
      );
    console.log(`10 sessions on a rebooted target running again ${seconds.toFixed(2)} s after it was back`);
    await orchestrator.cancelObjective(objective.id);
    await untilGone(tag);
    return { reboot_resume_s: round(seconds) };
  } finally {
    await close();
  }
}

async function measureOom(): Promise<Figures> {
  const hog = 'const b = Buffer.alloc(96 * 2 ** 20, 1); setInterval(() => b[0]++, 60_000)';
  const killed: string[] = [];
  const fake = createFakeProvider({
    name: 'fake',
    interactivity: 'noninteractive',
    script: async (agent) => {
      if (agent.spec.systemPrompt?.startsWith('You are the manager')) return agent.hang();
      const result = await agent.run('node', ['-e', hog]);
      if (result.code === 137) killed.push(agent.spec.sessionId);
      return 'ended';
    },
  });
  const temp = await createTempDir('orcha-bench-meminfo-');
  const memInfoPath = join(temp.path, 'meminfo');
  // Replaced whole (write, then rename), as the kernel's file never reads half-written.
  const setAvailable = async (bytes: number) => {
    await writeFile(`${memInfoPath}.new`, `MemAvailable: ${Math.floor(bytes / 1024)} kB\n`);
    await rename(`${memInfoPath}.new`, memInfoPath);
  };
  await setAvailable(64e9);
  const { store, orchestrator, close } = await rig({ fake }, { probeIntervalMs: 500, memInfoPath }, 30);
  try {
    const { objective, manager } = await orchestrator.createObjective({ title: 'hungry', prompt: 'wait' });
    const worker = (n: number) =>
      store.createSession({
        objectiveId: objective.id,
        parentId: manager.id,
        role: 'worker',
        agent: 'fake',
        title: `hungry ${n}`,
        prompt: 'eat',
        workspaceKind: 'scratch',
        interactivity: 'noninteractive',
      });
    // One runs first, so its peak is learned on the target.
    const first = worker(0);
    await orchestrator.tick();
    await until(store, () => (store.agentMemoryPeaks().fake ?? 0) > 80 * 2 ** 20);
    await orchestrator.cancelSession(first.id);
    const peak = store.agentMemoryPeaks().fake!;
    // The machine's free memory (from here on, the file follows what the hungry agents take) fits 5.
    const fits = 5;
    const total = fits * peak + peak / 2;
    // The machine's MemAvailable as its kernel would give it, each hungry agent holding its peak from its
    // start (they allocate at once): the fake meminfo follows the processes that really run there.
    const hogsRunning = async () =>
      (await here.run('pgrep', ['-f', 'Buffer[.]alloc[(]96'])).stdout.split('\n').filter(Boolean).length;
    await setAvailable(total);
    await until(
      store,
      () => store.getTarget('box').health?.memAvailableBytes === Math.floor(total / 1024) * 1024,
    );
    const workers = Array.from({ length: 20 }, (_, n) => worker(n + 1));
    await orchestrator.tick();
    let maxAtOnce = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const running = workers.filter((w) => ['starting', 'running'].includes(store.getSession(w.id).status));
      maxAtOnce = Math.max(maxAtOnce, running.length);
      await setAvailable(Math.max(0, total - (await hogsRunning()) * peak));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const waiting = store.getSession(workers.at(-1)!.id).statusReason;
    console.log(
      `20 hungry agents (peak ${(peak / 2 ** 20).toFixed(0)} MiB each) offered to a target that fits ${fits}: at most ${maxAtOnce} ran at once, ${killed.length} killed; the rest wait ("${waiting}")`,
    );
    if (maxAtOnce > fits) throw new Error(`${maxAtOnce} ran at once; only ${fits} fit`);
    await orchestrator.cancelObjective(objective.id);
    await untilGone('Buffer[.]alloc[(]96');
    return { oom_kills: killed.length, max_admitted_at_once: maxAtOnce };
  } finally {
    await close();
    await temp.remove();
  }
}

async function measureSteer(): Promise<Figures> {
  const temp = await createTempDir('orcha-bench-steer-');
  const slowLogin = join(temp.path, 'slow-login.sh');
  await writeFile(slowLogin, 'sleep 0.2\n');
  // The account's shell (bash) reads BASH_ENV at every start, as a heavy rc file would be read.
  const sshd = await startSshd({ environment: { BASH_ENV: slowLogin } });
  const remote = createSshExecutor(sshd.client);
  const socket = `orcha-bench-steer-${process.pid}`;
  const controllers = {
    local: createTmuxController({
      executor: here,
      socketName: `${socket}-l`,
      logDir: join(temp.path, 'local'),
    }),
    remote: createTmuxController({
      executor: remote,
      socketName: `${socket}-r`,
      logDir: join(temp.path, 'remote'),
    }),
  };
  const start = async (controller: TmuxController, name: string) => {
    await controller.newSession({ name, cwd: temp.path, command: ['node', scriptedTuiPath] });
    for (let tries = 0; !(await controller.capturePane(name)).includes('ready'); tries++) {
      if (tries > 200) throw new Error(`${name} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    await remote.run('true', []); // connected, one pooled shell open
    const channelMs: number[] = [];
    for (let n = 0; n < 3; n++) {
      const channelStart = performance.now();
      await (await remote.spawn('true', [])).wait();
      channelMs.push(performance.now() - channelStart);
    }
    await start(controllers.local, 'steer-local');
    await start(controllers.remote, 'steer-remote');
    const samples: Record<'local' | 'remote', number[]> = { local: [], remote: [] };
    for (let round = 0; round < 21; round++) {
      for (const where of ['local', 'remote'] as const) {
        const result = await controllers[where].sendText(`steer-${where}`, `steer message ${round}`);
        if (!result.echoed || !result.entered) throw new Error(`steering ${where} was not confirmed`);
        if (round > 0) samples[where].push(result.elapsedMs); // the first warms the pooled shells up
      }
    }
    const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const local = p50(samples.local);
    const remoteP50 = p50(samples.remote);
    console.log(
      `steering a tmux agent (text + confirmed Enter): local p50 ${local.toFixed(1)} ms, SSH target p50 ${remoteP50.toFixed(1)} ms (a channel of its own there costs ${channelMs.map((ms) => ms.toFixed(0)).join(', ')} ms with its slow shell)`,
    );
    return { remote_steer_ratio: round(remoteP50 / local) };
  } finally {
    await controllers.local.killServer().catch(() => {});
    await controllers.remote.killServer().catch(() => {});
    remote.close();
    await sshd.stop();
    await temp.remove();
  }
}

async function measureFollowStart(): Promise<Figures> {
  const temp = await createTempDir('orcha-bench-follow-');
  const slowLogin = join(temp.path, 'slow-login.sh');
  await writeFile(slowLogin, 'sleep 0.2\n');
  const sshd = await startSshd({ environment: { BASH_ENV: slowLogin } });
  const remote = createSshExecutor(sshd.client);
  const tmux = createTmuxController({
    executor: remote,
    socketName: `orcha-bench-follow-${process.pid}`,
    logDir: join(temp.path, 'logs'),
  });
  const names = Array.from({ length: 21 }, (_, n) => `follow-${n}`);
  const stop = new AbortController();
  try {
    await remote.run('true', []); // connected, one pooled shell open
    const tick = ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick-$i"; sleep 0.1; done'];
    for (const name of names) await tmux.newSession({ name, cwd: temp.path, command: tick });
    const before = remote.channels().opened;
    // 20 sessions followed for the whole measure, as orcha follows every running tmux agent.
    setMaxListeners(names.length * 2, stop.signal);
    let following = 0;
    const followers = names.slice(1).map(async (name) => {
      let first = true;
      for await (const _ of tmux.followPane(name, { signal: stop.signal })) {
        // Read and dropped: the load of following is what counts here.
        if (first) following++;
        first = false;
      }
    });
    while (following < followers.length) await new Promise((resolve) => setTimeout(resolve, 50));
    const opened = remote.channels().opened - before;
    const firstByte = async (chunks: AsyncIterable<unknown>) => {
      for await (const _ of chunks) return;
      throw new Error('the follow ended before its first byte');
    };
    const shared: number[] = [];
    const ownChannel: number[] = [];
    for (let round = 0; round < 12; round++) {
      const start = performance.now();
      const once = new AbortController();
      await firstByte(tmux.followPane(names[0]!, { signal: once.signal }));
      once.abort();
      if (round > 0) shared.push(performance.now() - start); // the first opens the follow channel
      const channelStart = performance.now();
      await tmux.paneStatus(names[0]!); // as the follow did first
      const tail = await remote.spawn('tail', ['-c', '+1', '-f', tmux.logPath(names[0]!)]);
      await firstByte(tail.stdout);
      ownChannel.push(performance.now() - channelStart);
      await tail.kill();
    }
    const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `following a tmux agent on the slow-shell SSH target with 20 others followed: first byte p50 ${p50(shared).toFixed(1)} ms (a channel of its own: p50 ${p50(ownChannel).toFixed(0)} ms); starting the 20 follows opened ${opened} channel(s) (shells of the command pool included)`,
    );
    stop.abort();
    await Promise.all(followers);
    return {
      follow_start_ms: round(p50(shared), 1),
      follow_start_channel_ms: Math.round(p50(ownChannel)),
      follow_channels: opened,
    };
  } finally {
    stop.abort();
    await tmux.killServer().catch(() => {});
    remote.close();
    await sshd.stop();
    await temp.remove();
  }
}

const figures: Figures = {};
const only = process.argv[2];
const measures = {
  offline: measureOfflineDetect,
  reconnect: measureReconnect,
  'reconnect-headless': measureReconnectHeadless,
  reboot: measureReboot,
  oom: measureOom,
  steer: measureSteer,
  follow: measureFollowStart,
};
for (const [name, measure] of Object.entries(measures))
  if (!only || only === name) Object.assign(figures, await measure());
console.log(JSON.stringify({ bench: 'machines', ...figures }));
