import { randomBytes } from 'node:crypto';
import { appendFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentProvider } from '@orcha/agent';
import type { Orchestrator, OrchestratorConfig } from '@orcha/core';
import { createLocalExecutor, type Executor } from '@orcha/exec';
import { createSshExecutor, createSshExecutorPool, type SshExecutor } from '@orcha/exec-ssh';
import { createFakeForge, type Forge } from '@orcha/forge';
import type { Target } from '@orcha/model';
import type { Store } from '@orcha/store';
import { createTempDir, type LoopbackSshd, type TempDir } from '@orcha/testkit';
import { createWorkspacePreparer, type GitPreparerSettings, type Preparer } from '@orcha/workspace';
import { api, createTestStore, serveOrchestrator } from './harness.js';
import { until } from './until.js';

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
  /**
   * Restarts orcha on the same data dir as a new process would: the orchestrator and API stop, the store
   * and every SSH connection close (with whatever the executors kept in memory), and all of them open anew.
   * `url`, `store` and `orchestrator` are the new ones afterwards.
   */
  restart(): Promise<void>;
  /**
   * Resolves when `predicate` holds, checked after every committed event and every 100 ms: remote state (a
   * process, a file) changes without an event.
   */
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
  const knownHostsFile = join(dir.path, 'known_hosts');
  await writeFile(knownHostsFile, '', { mode: 0o600 });
  const local = createLocalExecutor();
  /** One life of orcha: its store, its SSH connections, its orchestrator behind the API. */
  const open = async () => {
    const store = createTestStore(dir);
    if (options.localCapacity)
      store.ensureLocalTarget({ workRoot: join(dir.path, 'work'), capacity: options.localCapacity });
    const ssh = createSshExecutorPool({
      knownHostsFile,
      extraKnownHostsFiles: options.extraKnownHostsFiles,
      defaultIdentityFiles: options.defaultIdentityFiles,
    });
    const executorFor = (target: Target): Executor =>
      target.kind === 'local' ? local : ssh.executorFor(target);
    const served = await serveOrchestrator(
      {
        store,
        providers: options.providers,
        executorFor,
        forge: options.forge ?? createFakeForge({ anyRepository: true }),
        preparer: options.preparer ?? createWorkspacePreparer({ git: options.git ?? {} }),
        config: options.config,
      },
      'test',
    );
    return {
      ...served,
      store,
      executorFor,
      async close() {
        await served.stop();
        ssh.close();
        store.close();
      },
    };
  };
  let life = await open();
  const inspectors: SshExecutor[] = [];

  return {
    get url() {
      return life.url;
    },
    dir,
    get store() {
      return life.store;
    },
    get orchestrator() {
      return life.orchestrator;
    },
    knownHostsFile,
    async trust(sshd) {
      await appendFile(knownHostsFile, `${sshd.hostKeyLine}\n`);
    },
    register(sshd, name, registerOptions = {}) {
      return api({ url: life.url }, 'POST', '/api/targets', {
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
      const executor = createSshExecutor(sshd.client);
      inspectors.push(executor);
      return executor;
    },
    executorOf: (target) => life.executorFor(life.store.getTarget(target)),
    until: (predicate, timeoutMs = 20_000) => until(life.store, predicate, { timeoutMs, pollMs: 100 }),
    async restart() {
      await life.close();
      life = await open();
    },
    async close() {
      await life.close();
      for (const executor of inspectors) executor.close();
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
