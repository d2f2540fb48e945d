// `pnpm bench remote`: a command on a pooled SSH connection vs a raw ssh2 shell-channel round trip; an
// isolated checkout with a warm mirror vs a plain `git clone` of a 10,000-commit repository; 10 targets ×
// 10 fake sessions scheduled and completed. Last line: {"bench":"remote",…}.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor } from '@orcha/exec';
import { createSshExecutor } from '@orcha/exec-ssh';
import { createIdGenerator } from '@orcha/model';
import { git, startGitHttpServer, startSshd } from '@orcha/testkit';
import { createGitPreparer } from '@orcha/workspace';
import { Client } from 'ssh2';
import { tenByTen } from './remote-sessions.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function sshCommand(): Promise<{ pooled: number; raw: number }> {
  const sshd = await startSshd();
  const executor = createSshExecutor({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.identityFile,
    knownHostsFile: sshd.knownHostsFile,
  });
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve()).once('error', reject);
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKey });
  });
  const shell = await new Promise<import('ssh2').ClientChannel>((resolve, reject) =>
    client.exec('sh', (error, channel) => (error ? reject(error) : resolve(channel))),
  );
  let buffer = '';
  let waiter: (() => void) | null = null;
  shell.on('data', (chunk: Buffer) => {
    buffer += String(chunk);
    waiter?.();
  });
  const rawRoundTrip = async (i: number) => {
    const token = `done-${i}`;
    const seen = new Promise<void>((resolve) => {
      waiter = () => {
        if (buffer.includes(token)) resolve();
      };
    });
    shell.write(`true; echo ${token}\n`);
    await seen;
  };
  await executor.run('true', []);
  await rawRoundTrip(-1);
  const pooled: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < 60; i++) {
    let start = performance.now();
    await executor.run('true', []);
    pooled.push(performance.now() - start);
    start = performance.now();
    await rawRoundTrip(i);
    raw.push(performance.now() - start);
  }
  shell.close();
  client.end();
  executor.close();
  await sshd.stop();
  return { pooled: median(pooled), raw: median(raw) };
}

/** A repository with `count` commits, made quickly with git fast-import. */
async function bigRepo(dir: string, count: number): Promise<string> {
  await git(['init', '--quiet', '--initial-branch=main', dir]);
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const content = `line ${i}\n`;
    lines.push(
      'commit refs/heads/main',
      `committer bench <bench@example.invalid> ${1_700_000_000 + i} +0000`,
      `data ${`commit ${i}`.length}`,
      `commit ${i}`,
      ...(i === 1 ? [] : []),
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
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import ${code}`))));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
  await git(['checkout', '--quiet', 'main'], { cwd: dir });
  return dir;
}

async function checkout(): Promise<{ warm: number; plain: number; commits: number }> {
  const server = await startGitHttpServer();
  const dir = await mkdtemp(join(tmpdir(), 'orcha-bench-remote-'));
  const url = await server.createRepo('bench/big');
  const source = await bigRepo(join(dir, 'source'), 10_000);
  await git(['push', '--quiet', server.repoPath('bench/big'), 'main'], { cwd: source });
  const executor = createLocalExecutor();
  const preparer = createGitPreparer();
  const ids = createIdGenerator(Date.now, () => Math.floor(Math.random() * 32));
  const workRoot = join(dir, 'work');
  await preparer.ensureMirror(executor, workRoot, url); // warm the mirror once
  const warm: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < 5; i++) {
    let start = performance.now();
    await preparer.prepare({
      executor,
      workRoot,
      sessionId: ids('session'),
      kind: 'isolated',
      repo: url,
      baseBranch: 'main',
    });
    warm.push(performance.now() - start);
    start = performance.now();
    await git(['clone', '--quiet', url, join(dir, `plain-${i}`)]);
    plain.push(performance.now() - start);
  }
  const commits = Number((await git(['rev-list', '--count', 'main'], { cwd: source })).trim());
  await server.stop();
  await rm(dir, { recursive: true, force: true });
  return { warm: median(warm), plain: median(plain), commits };
}

const command = await sshCommand();
console.log(
  `ssh command: pooled ${command.pooled.toFixed(2)} ms, raw shell-channel round trip ${command.raw.toFixed(2)} ms (median of 60)`,
);
const clone = await checkout();
console.log(
  `checkout of ${clone.commits} commits: warm mirror ${clone.warm.toFixed(0)} ms, plain git clone ${clone.plain.toFixed(0)} ms (median of 5)`,
);
const sessions = await tenByTen();
console.log(
  `10 targets × 10 fake sessions: ${sessions.seconds.toFixed(2)} s, ${sessions.completed} completed`,
);
console.log(
  JSON.stringify({
    bench: 'remote',
    ssh_command_ratio: Number((command.pooled / command.raw).toFixed(2)),
    ssh_command_ms: Number(command.pooled.toFixed(2)),
    ssh_raw_ms: Number(command.raw.toFixed(2)),
    warm_checkout_ratio: Number((clone.warm / clone.plain).toFixed(3)),
    warm_checkout_ms: Math.round(clone.warm),
    plain_clone_ms: Math.round(clone.plain),
    ten_by_ten_s: Number(sessions.seconds.toFixed(2)),
    ten_by_ten_completed: sessions.completed,
  }),
);
