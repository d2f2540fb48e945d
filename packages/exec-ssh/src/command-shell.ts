import { randomBytes } from 'node:crypto';
import type { RunResult } from '@orcha/exec';
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

/**
 * A long-lived `sh` on one channel that runs commands one after another: a command costs a few
 * milliseconds instead of a channel set-up. Each command runs as a background subshell that becomes its
 * own process group (`setsid`, see `remoteCommand`), so it can be killed as a group; markers on stdout and
 * stderr delimit its output and carry its pid and exit status.
 */
export class CommandShell {
  private channel: ClientChannel | null = null;
  private current: Pending | null = null;
  private outBuffer = '';
  private errBuffer = '';
  /** Set by the pool while a command runs on this shell. */
  busy = false;
  dead = false;

  constructor(private readonly connection: SshConnection) {}

  private async open(): Promise<ClientChannel> {
    if (this.channel) return this.channel;
    const channel = await this.connection.exec('sh');
    channel.on('data', (chunk: Buffer) => this.onStdout(chunk));
    channel.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    channel.on('close', () => {
      this.dead = true;
      this.channel = null;
      this.current?.reject(new OrchaError('unavailable', 'the SSH command channel closed'));
      this.current = null;
    });
    this.channel = channel;
    return channel;
  }

  /** Runs one shell command line (already quoted) and collects its output. One at a time per shell. */
  async run(
    commandLine: string,
    options: { maxOutputBytes?: number | undefined; onPid?: (pid: number) => void } = {},
  ): Promise<RunResult> {
    try {
      const channel = await this.open();
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
          `( ${commandLine}\n) </dev/null & __orcha_pid=$!; printf '${sep}P${id}_%d${sep}' "$__orcha_pid" >&2; ` +
            `wait "$__orcha_pid"; __orcha_status=$?; printf '${sep}E${id}_%d${sep}' "$__orcha_status"; printf '${sep}E${id}${sep}' >&2\n`,
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
