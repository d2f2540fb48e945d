// Benchmark `remote`: SSH targets and remote checkouts against raw baselines measured in the same run.
//   ssh_command_ratio    a command through the pooled SSH executor vs a raw ssh2 shell-channel round trip
//                        running the same program (goal ≤ 2)
//   warm_checkout_ratio  an isolated checkout of a 10,000-commit repository with a warm mirror vs a plain
//                        `git clone` of it (goal ≤ 0.3)
//   ten_by_ten_s         10 SSH targets (10 loopback sshds) × 10 fake sessions each, scheduled, run remotely
//                        and completed by the orchestrator
// The last line is one JSON object `{"bench":"remote",…}`.

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createFakeProvider } from '@orcha/agent';
import { createOrchestrator } from '@orcha/core';
import { createLocalExecutor } from '@orcha/exec';
import { createSshExecutor, createSshExecutorPool } from '@orcha/exec-ssh';
import { createFakeForge } from '@orcha/forge';
import { createIdGenerator, type Session } from '@orcha/model';
import { createStore } from '@orcha/store';
import { createTempDir, git, type LoopbackSshd, startGitHttpServer, startSshd } from '@orcha/testkit';
import { createGitPreparer, createScratchPreparer } from '@orcha/workspace';
import { Client, type ClientChannel } from 'ssh2';

type Figures = Record<string, number>;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const ids = createIdGenerator(Date.now, () => randomInt(32));

async function measureSshCommand(): Promise<Figures> {
  const sshd = await startSshd();
  const executor = createSshExecutor(sshd.client);
  const client = new Client();
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve()).once('error', reject);
      client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKey });
    });
    client.setNoDelay(true); // as the executor does: the best a raw channel can do
    const shell = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec('sh', (error, channel) => (error ? reject(error) : resolve(channel))),
    );
    let buffer = '';
    let waiter: (() => void) | null = null;
    shell.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      waiter?.();
    });
    // The baseline: the same program (/bin/true, a real process) typed into an open shell channel, with
    // the smallest possible end marker: what any pooled SSH runner must at least pay.
    const rawRoundTrip = async (i: number) => {
      const token = `done-${i}`;
      const seen = new Promise<void>((resolve) => {
        waiter = () => {
          if (buffer.includes(token)) resolve();
        };
      });
      shell.write(`/bin/true; echo ${token}\n`);
      await seen;
      buffer = '';
    };
    for (let i = 0; i < 10; i++) {
      await executor.run('/bin/true', []);
      await rawRoundTrip(-i - 1);
    }
    const pooled: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < 200; i++) {
      let start = performance.now();
      await executor.run('/bin/true', []);
      pooled.push(performance.now() - start);
      start = performance.now();
      await rawRoundTrip(i);
      raw.push(performance.now() - start);
    }
    shell.close();
    const pooledMs = median(pooled);
    const rawMs = median(raw);
    console.log(
      `ssh command: pooled executor p50 ${pooledMs.toFixed(2)} ms, raw shell-channel round trip p50 ${rawMs.toFixed(2)} ms (200 each)`,
    );
    return {
      ssh_command_ratio: round(pooledMs / rawMs),
      ssh_command_ms: round(pooledMs),
      ssh_raw_ms: round(rawMs),
    };
  } finally {
    client.end();
    executor.close();
    await sshd.stop();
  }
}

/** A repository with `count` commits over 500 files, made quickly with git fast-import. */
async function bigRepo(dir: string, count: number): Promise<void> {
  await git(['init', '--quiet', '--initial-branch=main', dir]);
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const content = `line ${i}\n`;
    const message = `commit ${i}`;
    lines.push(
      'commit refs/heads/main',
      `committer bench <bench@example.invalid> ${1_700_000_000 + i} +0000`,
      `data ${message.length}`,
      message,
      `M 644 inline file-${i % 500}.txt`,
      `data ${Buffer.byteLength(content)}`,
      content.slice(0, -1),
      '',
    );
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['fast-import', '--quiet'], {
      cwd: dir,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`)),
    );
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

async function measureWarmCheckout(): Promise<Figures> {
  const server = await startGitHttpServer();
  const temp = await createTempDir('orcha-bench-remote-');
  try {
    const url = await server.createRepo('bench/big');
    const source = join(temp.path, 'source');
    await bigRepo(source, 10_000);
    await git(['push', '--quiet', server.repoPath('bench/big'), 'main'], { cwd: source });
    const commits = Number((await git(['rev-list', '--count', 'main'], { cwd: source })).trim());
    const executor = createLocalExecutor();
    const preparer = createGitPreparer();
    const workRoot = join(temp.path, 'work');
    await preparer.ensureMirror(executor, workRoot, url); // made once, as on a target that has seen the repo
    const warm: number[] = [];
    const plain: number[] = [];
    // Each side starts with clean page-cache writeback: the repository and the previous iteration wrote
    // megabytes that would otherwise be flushed during whichever measurement comes next.
    const settle = () => executor.run('sync', []);
    for (let i = 0; i < 7; i++) {
      await settle();
      let start = performance.now();
      const workspace = await preparer.prepare({
        executor,
        workRoot,
        sessionId: ids('session'),
        kind: 'isolated',
        repo: url,
        baseBranch: 'main',
      });
      warm.push(performance.now() - start);
      await settle();
      start = performance.now();
      await git(['clone', '--quiet', url, join(temp.path, `plain-${i}`)]);
      plain.push(performance.now() - start);
      await executor.run('rm', ['-rf', workspace.path, join(temp.path, `plain-${i}`)]);
    }
    const warmMs = median(warm);
    const plainMs = median(plain);
    console.log(
      `checkout of ${commits} commits: warm mirror p50 ${warmMs.toFixed(0)} ms, plain git clone p50 ${plainMs.toFixed(0)} ms (7 each)`,
    );
    return {
      warm_checkout_ratio: round(warmMs / plainMs, 3),
      warm_checkout_ms: Math.round(warmMs),
      plain_clone_ms: Math.round(plainMs),
    };
  } finally {
    await server.stop();
    await temp.remove();
  }
}

async function measureTenByTen(): Promise<Figures> {
  const temp = await createTempDir('orcha-bench-ten-');
  const sshds: LoopbackSshd[] = await Promise.all(Array.from({ length: 10 }, () => startSshd()));
  const knownHostsFile = join(temp.path, 'known_hosts');
  await writeFile(knownHostsFile, sshds.map((sshd) => `${sshd.hostKeyLine}\n`).join(''));
  const ssh = createSshExecutorPool({ knownHostsFile });
  const store = createStore({ path: join(temp.path, 'orcha.db'), clock: Date.now, ids });
  // Workers run one remote command in their remote scratch directory; the manager just waits.
  const provider = createFakeProvider({
    name: 'fake',
    script: async (agent) => {
      if (agent.spec.systemPrompt?.startsWith('You are the manager')) return agent.hang();
      const result = await agent.run('sh', ['-c', 'echo "$PWD" > done.txt && cat done.txt']);
      return `ran in ${result.stdout.trim()}`;
    },
  });
  // The doctor checks that each target's reverse tunnel leads to an HTTP endpoint on this machine; these
  // agents never call orcha's tools, so a bare endpoint stands where orcha's MCP routes would be.
  const endpoint = createServer((_, response) => response.writeHead(404).end()).listen(0, '127.0.0.1');
  await new Promise((resolve) => endpoint.once('listening', resolve));
  const { port } = endpoint.address() as { port: number };
  const orchestrator = createOrchestrator({
    store,
    providers: { fake: provider },
    executorFor: (target) => ssh.executorFor(target),
    forge: createFakeForge(),
    preparer: createScratchPreparer(),
    config: {
      maxConcurrent: 100,
      scheduleIntervalMs: 200,
      agentCliRequired: false,
      feedbackPollMs: 600_000,
      mcpBaseUrl: `http://127.0.0.1:${port}`,
    },
  });
  try {
    for (const [i, sshd] of sshds.entries()) {
      const registered = await orchestrator.registerTarget({
        name: `box-${i}`,
        kind: 'ssh',
        host: sshd.host,
        user: sshd.user,
        port: sshd.port,
        identityFile: sshd.identityFile,
        workRoot: join(sshd.dir, 'work'),
        capacitySessions: 4,
      });
      if (registered.target.status !== 'online') {
        const failed = registered.target.doctor?.checks.filter((check) => !check.ok) ?? [];
        throw new Error(`box-${i} is not online: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
      }
    }
    await orchestrator.start();
    const { objective, manager } = await orchestrator.createObjective({
      title: 'ten by ten',
      prompt: 'wait',
    });
    const workers: Session[] = [];
    const start = performance.now();
    const done = new Promise<void>((resolve) => {
      const unsubscribe = store.subscribe(() => {
        const ended = store.listSessions({ objectiveId: objective.id, statuses: ['completed', 'failed'] });
        if (ended.length === 100) {
          unsubscribe();
          resolve();
        }
      });
    });
    for (let target = 0; target < 10; target++) {
      for (let n = 0; n < 10; n++) {
        workers.push(
          store.createSession({
            objectiveId: objective.id,
            parentId: manager.id,
            role: 'worker',
            agent: 'fake',
            title: `box-${target} #${n}`,
            prompt: 'run one remote command',
            pinnedTarget: `box-${target}`,
            workspaceKind: 'scratch',
            interactivity: 'interactive',
          }),
        );
      }
    }
    await orchestrator.tick();
    await done;
    const seconds = (performance.now() - start) / 1000;
    const failed = store.listSessions({ objectiveId: objective.id, statuses: ['failed'] }).length;
    if (failed > 0) throw new Error(`${failed} sessions failed`);
    console.log(
      `10 targets × 10 sessions (capacity 4 each): ${workers.length} scheduled, run remotely and completed in ${seconds.toFixed(2)} s`,
    );
    await orchestrator.cancelObjective(objective.id);
    return { ten_by_ten_s: round(seconds), ten_by_ten_completed: workers.length };
  } finally {
    await orchestrator.stop();
    ssh.close();
    store.close();
    endpoint.close();
    await Promise.all(sshds.map((sshd) => sshd.stop()));
    await temp.remove();
  }
}

const measurements: Array<{ name: string; run: () => Promise<Figures> }> = [
  { name: 'ssh command', run: measureSshCommand },
  { name: 'warm checkout', run: measureWarmCheckout },
  { name: 'ten by ten', run: measureTenByTen },
];

const figures: Figures = {};
for (const measurement of measurements) Object.assign(figures, await measurement.run());
console.log(JSON.stringify({ bench: 'remote', ...figures }));
