import { type Executor, quoteShellArg, type RunOptions, type RunResult } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { CommandShell } from './command-shell.js';
import { type PresentedHostKey, type SeenHostKey, SshConnection, type SshSettings } from './connection.js';
import { type Leftover, leftoverKillLine, spawnDetached, sweepLine } from './detached-process.js';
import { FileFollows } from './file-follows.js';
import { trustHostKey } from './known-hosts.js';
import {
  environmentExports,
  missingCommandStatus,
  missingDirectoryStatus,
  remoteCommand,
} from './remote-command.js';
import { ReverseTunnel, type ReverseTunnelState, type TunnelEnd } from './reverse-tunnel.js';
import { sftpFiles, sftpSession } from './sftp-files.js';
import { sshProcess } from './ssh-process.js';

/** The Executor with its host-key members present (see the port for what they promise). */
export interface SshExecutor extends Executor {
  /** The host key the server presented when it was refused as unknown or changed, if it was. */
  presentedHostKey(): PresentedHostKey | null;
  hostKey(): SeenHostKey | null;
  trustPresentedHostKey(): Promise<string>;
  sweepDetached(dir: string): Promise<number>;
  followFile: NonNullable<Executor['followFile']>;
  /**
   * A reverse tunnel on this target's connection: the target's `127.0.0.1:<remotePort>` leads to `to` on
   * this machine. Opened on first call (asking for `remotePort` first when given), kept, and opened again
   * whenever its connection drops; rejects with `unavailable` when the target cannot be reached or refuses
   * forwarding. One tunnel per destination.
   */
  reverseTunnel(to: TunnelEnd, options?: { remotePort?: number }): Promise<ReverseTunnelState>;
  /** The tunnel to `to` as it stands now, or null when it is not open. */
  reverseTunnelState(to: TunnelEnd): ReverseTunnelState | null;
  /** Connections and channels open now, and channels opened since the executor was made. */
  channels(): { connections: number; open: number; opened: number };
  close(): void;
}

/** Command channels kept open at most; more commands at once wait for one (each takes a few ms). */
const maxShells = 8;
/** How long a command waits for a busy shell before another shell is opened for it. */
const growAfterMs = 50;

/**
 * The Executor over SSH. One pooled connection per target; short commands run on long-lived shell channels
 * (a few milliseconds each); streaming processes get their own channel — with a pseudo-terminal when asked,
 * so closing it hangs the remote group up — and cancel kills the remote process group explicitly. Asked to
 * `detach`, a process runs apart from any connection, its output spooled on the target (`detached-process`).
 */
export function createSshExecutor(settings: SshSettings): SshExecutor {
  const connection = new SshConnection(settings);
  const sftp = sftpSession(connection);
  const follows = new FileFollows(connection);
  const shells: CommandShell[] = [];
  const tunnels = new Map<string, ReverseTunnel>();
  const tunnelKey = (to: TunnelEnd) => `${to.host}:${to.port}`;
  const waiters: (() => void)[] = [];
  /** Detached groups orcha gave up on while the machine did not answer: killed once it answers again. */
  const leftovers: Leftover[] = [];

  const acquire = async (): Promise<CommandShell> => {
    for (;;) {
      for (let i = shells.length - 1; i >= 0; i--) if (shells[i]!.dead) shells.splice(i, 1);
      const free = shells.find((shell) => !shell.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      // A new shell costs a channel and a login on the target (tens of milliseconds, more when the login
      // shell's rc files are heavy); a busy one is usually free again within a millisecond or two. So wait
      // briefly, and open another only while every shell stays busy (long commands such as a clone) and
      // there is still room: many commands that waited together open no more than `maxShells`.
      const room = () => shells.length < maxShells;
      if (room() && (shells.length === 0 || !(await freedWithin(growAfterMs))) && room()) {
        const shell = new CommandShell(connection);
        shells.push(shell);
        shell.busy = true;
        return shell;
      }
      if (!room()) await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  /** Resolves true when a shell is released within `ms`, false otherwise. */
  const freedWithin = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        resolve(false);
      }, ms);
      waiters.push(waiter);
    });
  const release = (shell: CommandShell) => {
    shell.busy = false;
    waiters.shift()?.();
  };
  const runLine = async (
    line: string | ((ownGroup: boolean) => string),
    options: RunOptions & { onPid?: (pid: number) => void } = {},
  ) => {
    const shell = await acquire();
    try {
      const result = await shell.run(line, { maxOutputBytes: options.maxOutputBytes, onPid: options.onPid });
      if (leftovers.length) killLeftovers();
      return result;
    } finally {
      release(shell);
    }
  };
  const killLeftovers = () => {
    const due = leftovers.splice(0);
    runLine(leftoverKillLine(due)).catch(() => leftovers.push(...due));
  };
  const signalGroup = async (pgid: number, signal: 'TERM' | 'KILL') => {
    await runLine(`kill -${signal} -${pgid} 2>/dev/null; true`);
  };
  /** Writes `export` lines to a fresh 0600 file on the target with shell builtins only; returns its path. */
  const writeEnvFile = async (env: Record<string, string>): Promise<string> => {
    const lines = environmentExports(env).map(quoteShellArg).join(' ');
    const result = await runLine(
      `umask 077; f=$(mktemp "\${TMPDIR:-/tmp}/orcha-env.XXXXXX") && printf '%s\\n' ${lines} > "$f" && printf '%s' "$f"`,
    );
    const path = result.stdout.trim();
    if (result.code !== 0 || !path.startsWith('/'))
      throw new OrchaError('unavailable', `could not write the environment file: ${result.stderr.trim()}`);
    return path;
  };
  const where = `${settings.user}@${settings.host}${settings.port && settings.port !== 22 ? `:${settings.port}` : ''}`;
  const checkStatus = (result: RunResult, command: string, cwd?: string) => {
    if (result.code === missingCommandStatus)
      throw new OrchaError('not_found', `${command}: command not found on ${where}`);
    if (result.code === missingDirectoryStatus)
      throw new OrchaError('not_found', `no such directory on ${where}: ${cwd}`);
    return result;
  };

  const executor: SshExecutor = {
    describe: () => ({
      kind: 'ssh',
      host: settings.host,
      user: settings.user,
      sshCommand: `ssh -t${settings.port && settings.port !== 22 ? ` -p ${settings.port}` : ''} ${settings.user}@${settings.host}`,
    }),

    async run(command, args, options = {}) {
      if (options.signal?.aborted) throw new OrchaError('unavailable', 'aborted', { aborted: true });
      let pid: number | null = null;
      let stopped: 'timeout' | 'abort' | null = null;
      const stop = (why: 'timeout' | 'abort') => {
        stopped = why;
        // A connection gone meanwhile cannot deliver it; the caller hears of the stop either way.
        if (pid !== null) signalGroup(pid, 'KILL').catch(() => {});
      };
      const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : null;
      const onAbort = () => stop('abort');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const line = (ownGroup: boolean) =>
          remoteCommand(command, args, {
            cwd: options.cwd,
            env: options.env,
            input: options.input,
            ownGroup,
          });
        const result = await runLine(line, {
          maxOutputBytes: options.maxOutputBytes,
          onPid: (value) => {
            pid = value;
            if (stopped) signalGroup(value, 'KILL').catch(() => {});
          },
        });
        if (stopped === 'timeout')
          throw new OrchaError('unavailable', `${command} timed out after ${options.timeoutMs} ms`, {
            timedOut: true,
          });
        if (stopped === 'abort')
          throw new OrchaError('unavailable', `${command} was aborted`, { aborted: true });
        return checkStatus(result, command, options.cwd);
      } finally {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      }
    },

    async spawn(command, args, options = {}) {
      const pty = options.pty;
      if (options.detach && !pty) {
        const deps = {
          runLine,
          followFile: executor.followFile,
          killLater: (leftover: Leftover) => leftovers.push(leftover),
        };
        return spawnDetached(deps, command, args, { ...options, detach: options.detach });
      }
      // A streaming process's script is the command line of the remote shell, so its environment (which
      // may hold secrets) goes in a 0600 file, written through a command shell's input and sourced once.
      const envFile = options.env && Object.keys(options.env).length ? await writeEnvFile(options.env) : null;
      const target = { cwd: options.cwd, envFile: envFile ?? undefined };
      const script = pty
        ? `printf '\\036P%d\\036' "$$"\n${remoteCommand(command, args, { ...target, ownGroup: false })}`
        : [
            'exec 3<&0',
            `( ${remoteCommand(command, args, { ...target, stdinFd: 3 })}\n) &`,
            `__orcha_pid=$!; printf '\\036P%d\\036' "$__orcha_pid" >&2; wait "$__orcha_pid"`,
          ].join('\n');
      const channel = await connection
        .exec(`sh -c ${quoteShellArg(script)}`, { pty })
        .catch(async (error) => {
          if (envFile) await runLine(`rm -f -- ${quoteShellArg(envFile)}`).catch(() => {});
          throw error;
        });
      return sshProcess(channel, {
        pty: Boolean(pty),
        killGraceMs: options.killGraceMs ?? 2_000,
        signalGroup,
      });
    },

    followFile(path, options) {
      return follows.follow(path, options);
    },
    files(root) {
      return sftpFiles(sftp, root);
    },
    async sweepDetached(dir) {
      const result = await runLine(sweepLine(dir));
      if (result.code !== 0)
        throw new OrchaError(
          'unavailable',
          `could not end the detached processes below ${dir}: ${result.stderr}`,
        );
      return Number(result.stdout.trim()) || 0;
    },

    presentedHostKey: () => connection.lastPresentedKey,
    hostKey: () => connection.lastSeenKey,
    async trustPresentedHostKey() {
      const key = connection.lastPresentedKey;
      if (!key) throw new OrchaError('conflict', 'no refused host key to trust; connect first');
      const line = await trustHostKey(
        settings.knownHostsFile,
        settings.host,
        connection.port,
        key.keyType,
        key.key,
      );
      connection.lastPresentedKey = null;
      return line;
    },
    reverseTunnel(to, options = {}) {
      const key = tunnelKey(to);
      let tunnel = tunnels.get(key);
      if (!tunnel) {
        tunnel = new ReverseTunnel(connection, to, options.remotePort);
        tunnels.set(key, tunnel);
      }
      return tunnel.ensure();
    },
    reverseTunnelState: (to) => tunnels.get(tunnelKey(to))?.state() ?? null,
    channels: () => ({
      connections: connection.connections,
      open: connection.channelsOpen,
      opened: connection.channelsOpened,
    }),
    close() {
      follows.close();
      for (const tunnel of tunnels.values()) tunnel.close();
      tunnels.clear();
      for (const shell of shells) shell.close();
      shells.length = 0;
      connection.close();
    },
  };
  return executor;
}
