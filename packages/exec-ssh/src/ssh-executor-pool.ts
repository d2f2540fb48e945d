import { existsSync } from 'node:fs';
import { OrchaError } from '@orcha/model';
import type { SshSettings } from './connection.js';
import { createSshExecutor, type SshExecutor } from './ssh-executor.js';

/** Where a target is reached: the fields of a registered SSH target that matter for the connection. */
export interface SshTargetAddress {
  id: string;
  name?: string | undefined;
  host: string | null;
  user: string | null;
  port: number | null;
  identityFile: string | null;
}

export interface SshExecutorPoolSettings {
  /** orcha's own known_hosts (e.g. `<dataDir>/known_hosts`): checked, and where trusted keys are written. */
  knownHostsFile: string;
  /** Read-only known_hosts files also trusted, e.g. the user's `~/.ssh/known_hosts`. */
  extraKnownHostsFiles?: readonly string[] | undefined;
  /** Keys tried, in order, for targets without an identity file (e.g. `~/.ssh/id_ed25519`). */
  defaultIdentityFiles?: readonly string[] | undefined;
  keepaliveMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
}

export interface SshExecutorPool {
  /** The one executor (one pooled connection) of a target; a new one when its address changed. */
  executorFor(target: SshTargetAddress): SshExecutor;
  /** Closes every connection. */
  close(): void;
}

/**
 * One SSH executor per target, created on first use and kept: every session, doctor run and checkout on
 * that target shares its connection and command channels.
 */
export function createSshExecutorPool(settings: SshExecutorPoolSettings): SshExecutorPool {
  const executors = new Map<string, { key: string; executor: SshExecutor }>();
  return {
    executorFor(target) {
      if (!target.host || !target.user) {
        throw new OrchaError(
          'invalid_argument',
          `target ${target.name ?? target.id} needs a host and a user`,
        );
      }
      const identityFile =
        target.identityFile ?? settings.defaultIdentityFiles?.find((file) => existsSync(file)) ?? undefined;
      const key = JSON.stringify([target.host, target.port, target.user, identityFile]);
      const known = executors.get(target.id);
      if (known?.key === key) return known.executor;
      known?.executor.close();
      const sshSettings: SshSettings = {
        host: target.host,
        port: target.port ?? undefined,
        user: target.user,
        identityFile,
        knownHostsFile: settings.knownHostsFile,
        extraKnownHostsFiles: settings.extraKnownHostsFiles,
        keepaliveMs: settings.keepaliveMs,
        connectTimeoutMs: settings.connectTimeoutMs,
      };
      const executor = createSshExecutor(sshSettings);
      executors.set(target.id, { key, executor });
      return executor;
    },
    close() {
      for (const { executor } of executors.values()) executor.close();
      executors.clear();
    },
  };
}
