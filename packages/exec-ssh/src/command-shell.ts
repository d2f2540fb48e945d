import { randomBytes } from 'node:crypto';
import { quoteShellArg, type RunResult } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { ClientChannel } from 'ssh2';
import type { SshConnection } from './connection.js';

const sep = '\u001e';
const defaultMax = 10 * 1024 * 1024;

interface Pending {
  id: string;
  stdout: Buffer[];
  stderr: Buffer[];
  outBytes: number;
  errBytes: number;
  max: number;
  truncated: boolean;
  pid: number | null;
  status: number | null;
  stderrDone: boolean;
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

/** Starts bash when the machine has it (job control without a terminal), else sh. */
const launch = 'command -v bash >/dev/null 2>&1 && exec bash --noprofile --norc; exec sh';
/**
 * Run first in the shell: its own stderr goes to /dev/null (bash's job notices, dash's complaint that it
 * cannot do job control) and fd 3 carries commands' stderr and the markers; `set -m` gives each background
 * command its own process group where the shell can (bash), and the shell says whether it could.
 */
const initLine = `exec 3>&2 2>/dev/null; set -m; case $- in *m*) printf '${sep}J1${sep}' >&3;; *) printf '${sep}J0${sep}' >&3;; esac\n`;

/**
 * A long-lived shell on one channel that runs commands one after another: a command costs about a
 * millisecond instead of a channel set-up. Each command runs as a background subshell that leads its own
 * process group — through the shell's job control (bash), else `setsid` (see `remoteCommand`) — so it can be
 * killed as a group; markers on stdout and fd 3 delimit its output and carry its pid and exit status.
 */
export class CommandShell {
  private channel: ClientChannel | null = null;
  private opening: Promise<ClientChannel> | null = null;
  private current: Pending | null = null;
  private outBuffer = '';
  private errBuffer = '';
  /** Whether background commands get their own process group from the shell; known once open. */
  private jobControl: boolean | null = null;
  private onReady: ((jobControl: boolean) => void) | null = null;
  /** Set by the pool while a command runs on this shell. */
  busy = false;
  dead = false;

  constructor(private readonly connection: SshConnection) {}

  private open(): Promise<ClientChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.opening ??= (async () => {
      const channel = await this.connection.exec(`sh -c ${quoteShellArg(launch)}`);
      const ready = new Promise<void>((resolve, reject) => {
        this.onReady = (jobControl) => {
          this.jobControl = jobControl;
          resolve();
        };
        channel.once('close', () => reject(new OrchaError('unavailable', 'the SSH command channel closed')));
      });
      channel.on('data', (chunk: Buffer) => this.onStdout(chunk));
      channel.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
      channel.on('close', () => {
        this.dead = true;
        this.channel = null;
        this.current?.reject(new OrchaError('unavailable', 'the SSH command channel closed'));
        this.current = null;
      });
      channel.write(initLine);
      await ready;
      this.channel = channel;
      return channel;
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /**
   * Runs one shell command line (already quoted) and collects its output. One at a time per shell. Given a
   * function, it is told whether the line must put the command in its own process group itself.
   */
  async run(
    commandLine: string | ((ownGroup: boolean) => string),
    options: { maxOutputBytes?: number | undefined; onPid?: (pid: number) => void } = {},
  ): Promise<RunResult> {
    try {
      const channel = await this.open();
      const line = typeof commandLine === 'string' ? commandLine : commandLine(!this.jobControl);
      const id = randomBytes(6).toString('hex');
      return await new Promise<RunResult>((resolve, reject) => {
        this.current = {
          id,
          stdout: [],
          stderr: [],
          outBytes: 0,
          errBytes: 0,
          max: options.maxOutputBytes ?? defaultMax,
          truncated: false,
          pid: null,
          status: null,
          stderrDone: false,
          resolve,
          reject,
        };
        this.onPid = options.onPid ?? null;
        channel.write(
          `( ${line}\n) </dev/null 2>&3 & __orcha_pid=$!; printf '${sep}P${id}_%d${sep}' "$__orcha_pid" >&3; ` +
            `wait "$__orcha_pid"; __orcha_status=$?; printf '${sep}E${id}_%d${sep}' "$__orcha_status"; printf '${sep}E${id}${sep}' >&3\n`,
        );
      });
    } finally {
      this.current = null;
      this.onPid = null;
    }
  }

  private onPid: ((pid: number) => void) | null = null;

  private onStdout(chunk: Buffer): void {
    const current = this.current;
    if (!current) return;
    this.outBuffer += chunk.toString('latin1');
    const marker = new RegExp(`${sep}E${current.id}_(\\d+)${sep}`);
    const match = marker.exec(this.outBuffer);
    const upTo = match ? match.index : Math.max(0, this.outBuffer.length - 64);
    this.collect(current, 'stdout', this.outBuffer.slice(0, upTo));
    this.outBuffer = match ? this.outBuffer.slice(match.index + match[0].length) : this.outBuffer.slice(upTo);
    if (match) {
      current.status = Number(match[1]);
      this.settle(current);
    }
  }

  private onStderr(chunk: Buffer): void {
    if (this.onReady) {
      this.errBuffer += chunk.toString('latin1');
      const ready = new RegExp(`${sep}J([01])${sep}`).exec(this.errBuffer);
      if (!ready) return;
      this.errBuffer = this.errBuffer.slice(ready.index + ready[0].length);
      const onReady = this.onReady;
      this.onReady = null;
      onReady(ready[1] === '1');
      return;
    }
    const current = this.current;
    if (!current) return;
    this.errBuffer += chunk.toString('latin1');
    const pidMarker = new RegExp(`${sep}P${current.id}_(\\d+)${sep}`);
    const pid = pidMarker.exec(this.errBuffer);
    if (pid) {
      current.pid = Number(pid[1]);
      this.errBuffer = this.errBuffer.slice(0, pid.index) + this.errBuffer.slice(pid.index + pid[0].length);
      this.onPid?.(current.pid);
    }
    const end = `${sep}E${current.id}${sep}`;
    const at = this.errBuffer.indexOf(end);
    const upTo = at >= 0 ? at : Math.max(0, this.errBuffer.length - 64);
    this.collect(current, 'stderr', this.errBuffer.slice(0, upTo));
    this.errBuffer = at >= 0 ? this.errBuffer.slice(at + end.length) : this.errBuffer.slice(upTo);
    if (at >= 0) {
      current.stderrDone = true;
      this.settle(current);
    }
  }

  private collect(current: Pending, stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    const bytes = Buffer.from(text, 'latin1');
    const used = stream === 'stdout' ? current.outBytes : current.errBytes;
    const room = current.max - used;
    if (room <= 0) {
      current.truncated = true;
      return;
    }
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (kept.length < bytes.length) current.truncated = true;
    current[stream].push(kept);
    if (stream === 'stdout') current.outBytes += kept.length;
    else current.errBytes += kept.length;
  }

  private settle(current: Pending): void {
    if (current.status === null || !current.stderrDone) return;
    const status = current.status;
    current.resolve({
      code: status,
      signal: status > 128 ? signalName(status - 128) : null,
      stdout: Buffer.concat(current.stdout).toString('utf8'),
      stderr: Buffer.concat(current.stderr).toString('utf8'),
      truncated: current.truncated,
    });
  }

  close(): void {
    this.channel?.close();
    this.channel = null;
  }
}

const signals: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 15: 'SIGTERM' };
function signalName(number: number): string | null {
  return signals[number] ?? null;
}
