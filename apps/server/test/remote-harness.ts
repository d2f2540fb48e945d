import { randomBytes, randomInt } from 'node:crypto';
import { appendFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { AgentProvider } from '@orcha/agent';
import { createApi } from '@orcha/api';
import { createOrchestrator, type Orchestrator, type OrchestratorConfig } from '@orcha/core';
import { createLocalExecutor, type Executor } from '@orcha/exec';
import { createSshExecutor, createSshExecutorPool, type SshExecutor } from '@orcha/exec-ssh';
import { createFakeForge, type Forge } from '@orcha/forge';
import { createIdGenerator, type Target } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { createTempDir, type LoopbackSshd, type TempDir } from '@orcha/testkit';
import { createWorkspacePreparer, type GitPreparerSettings, type Preparer } from '@orcha/workspace';
import { api } from './harness.js';

/**
 * The API harness with SSH targets: a real orchestrator on real SQLite behind the real API, whose SSH
 * targets are reached through pooled SSH executors (the composition `orcha serve` uses), with host keys in
 * the harness's own known_hosts. Loopback sshds stand in for the remote machines.
 */
export interface RemoteHarness {
  url: string;
  dir: TempDir;
  store: Store;
  orchestrator: Orchestrator;
  /** orcha's known_hosts: `trust(sshd)` adds a server to it; a server not added is unknown. */
  knownHostsFile: string;
  trust(sshd: LoopbackSshd): Promise<void>;
  /** Registers an SSH target for `sshd` through POST /api/targets. */
  register(
    sshd: LoopbackSshd,
    name: string,
    options?: { capacity?: number; bootstrap?: string; workRoot?: string },
  ): Promise<{ status: number; body: any }>;
  /** A separate SSH executor onto `sshd` for looking at the remote side (never the orchestrator's own). */
  inspect(sshd: LoopbackSshd): SshExecutor;
  /** The orchestrator's own executor of a target (by id or name). */
  executorOf(target: string): Executor;
  until<T>(predicate: () => T | null | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export interface RemoteHarnessOptions {
  providers: Record<string, AgentProvider>;
  forge?: Forge;
  /** Git settings of the workspace preparer (real checkouts); default: git without a token. */
  git?: GitPreparerSettings;
  preparer?: Preparer;
  config?: Partial<OrchestratorConfig>;
  /** Also create the local target (capacity given); by default every session runs on an SSH target. */
  localCapacity?: number;
  /** Live tests: the user's own known_hosts and keys, as `orcha serve` uses them. */
  extraKnownHostsFiles?: string[];
  defaultIdentityFiles?: string[];
}

export async function startRemoteHarness(options: RemoteHarnessOptions): Promise<RemoteHarness> {
  const dir = await createTempDir('orcha-remote-');
  const store = createStore({
    path: join(dir.path, 'orcha.db'),
    clock: Date.now,
    ids: createIdGenerator(Date.now, () => randomInt(32)),
  });
  if (options.localCapacity)
    store.ensureLocalTarget({ workRoot: join(dir.path, 'work'), capacity: options.localCapacity });
  const knownHostsFile = join(dir.path, 'known_hosts');
  await writeFile(knownHostsFile, '', { mode: 0o600 });
  const ssh = createSshExecutorPool({
    knownHostsFile,
    extraKnownHostsFiles: options.extraKnownHostsFiles,
    defaultIdentityFiles: options.defaultIdentityFiles,
  });
  const local = createLocalExecutor();
  const executorFor = (target: Target): Executor =>
    target.kind === 'local' ? local : ssh.executorFor(target);
  const orchestrator = createOrchestrator({
    store,
    providers: options.providers,
    executorFor,
    forge: options.forge ?? createFakeForge(),
    preparer: options.preparer ?? createWorkspacePreparer({ git: options.git ?? {} }),
    config: { scheduleIntervalMs: 200, feedbackPollMs: 60_000, agentCliRequired: false, ...options.config },
  });
  const app = createApi({
    orchestrator,
    info: { version: 'test', fakeAgents: true, agents: Object.keys(options.providers), forge: 'test' },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  orchestrator.config.mcpBaseUrl = url;
  await orchestrator.start();
  const inspectors: SshExecutor[] = [];

  const until = <T>(predicate: () => T | null | undefined | false, timeoutMs = 20_000) =>
    new Promise<T>((resolve, reject) => {
      let unsubscribe = () => {};
      // Remote state (a process, a file) changes without an event: look again now and then as well.
      const poll = setInterval(() => void check(), 100);
      const timer = setTimeout(() => {
        clearInterval(poll);
        unsubscribe();
        reject(new Error(`condition not met within ${timeoutMs} ms: ${predicate.toString().slice(0, 200)}`));
      }, timeoutMs);
      const check = () => {
        const value = predicate();
        if (!value) return false;
        clearTimeout(timer);
        clearInterval(poll);
        unsubscribe();
        resolve(value);
        return true;
      };
      if (check()) return;
      unsubscribe = store.subscribe(() => void check());
    });

  return {
    url,
    dir,
    store,
    orchestrator,
    knownHostsFile,
    async trust(sshd) {
      await appendFile(knownHostsFile, `${sshd.hostKeyLine}\n`);
    },
    register(sshd, name, registerOptions = {}) {
      return api({ url }, 'POST', '/api/targets', {
        name,
        kind: 'ssh',
        host: sshd.host,
        user: sshd.user,
        port: sshd.port,
        identity_file: sshd.identityFile,
        work_root: registerOptions.workRoot ?? join(sshd.dir, 'work'),
        capacity_sessions: registerOptions.capacity ?? 4,
        ...(registerOptions.bootstrap ? { bootstrap: registerOptions.bootstrap } : {}),
      });
    },
    inspect(sshd) {
      const executor = createSshExecutor({
        host: sshd.host,
        port: sshd.port,
        user: sshd.user,
        identityFile: sshd.identityFile,
        knownHostsFile: sshd.knownHostsFile,
      });
      inspectors.push(executor);
      return executor;
    },
    executorOf: (target) => executorFor(store.getTarget(target)),
    until,
    async close() {
      await orchestrator.stop();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const executor of inspectors) executor.close();
      ssh.close();
      store.close();
      await dir.remove();
    },
  };
}

/** Remote processes whose command line matches `tag`, listed over SSH (the bracket keeps pgrep off itself). */
export async function remoteProcesses(executor: Executor, tag: string): Promise<string[]> {
  const result = await executor.run('pgrep', ['-f', `[${tag[0]}]${tag.slice(1)}`]);
  return result.stdout.split('\n').filter(Boolean);
}

/** A unique tag to find a test's remote processes by. */
export const processTag = (name: string) => `orcha-${name}-${randomBytes(4).toString('hex')}`;

/**
 * A directory with every program of /usr/bin except `hidden`: as a login PATH, it makes a machine
 * that lacks those tools (git and the shell still work).
 */
export async function pathWithout(parent: string, hidden: readonly string[]): Promise<string> {
  const bin = join(parent, `bin-without-${hidden.join('-')}`);
  await createLocalExecutor().run('mkdir', ['-p', bin]);
  for (const name of await readdir('/usr/bin')) {
    if (!hidden.includes(name)) await symlink(join('/usr/bin', name), join(bin, name));
  }
  return bin;
}
