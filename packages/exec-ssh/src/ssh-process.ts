import { type AsyncQueue, chunkQueue, type ExitStatus, type ProcessHandle } from '@orcha/exec';
import type { ClientChannel } from 'ssh2';

/** The record separator brackets the wrapper's pid marker, a character no program prints by accident. */
const separator = String.fromCharCode(0x1e);
const marker = new RegExp(`${separator}P(\\d+)${separator}`);

/**
 * Feeds a channel stream into a queue, taking out the pid marker the wrapper prints first. Reading is eager
 * (so the pid is known even when nobody reads that stream) and bounded by the queue's back-pressure.
 */
function pipe(
  source: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown },
  queue: AsyncQueue<Uint8Array>,
  onPid: ((pid: number) => void) | null,
): void {
  let pending = onPid ? '' : null;
  source.on('data', (chunk: Buffer) => {
    if (pending === null) {
      queue.push(chunk);
      return;
    }
    pending += chunk.toString('latin1');
    const match = marker.exec(pending);
    if (match) {
      onPid?.(Number(match[1]));
      const rest = pending.slice(0, match.index) + pending.slice(match.index + match[0].length);
      pending = null;
      if (rest) queue.push(Buffer.from(rest, 'latin1'));
    } else if (pending.length > 64) {
      queue.push(Buffer.from(pending, 'latin1'));
      pending = null;
    }
  });
  source.on('end', () => {
    if (pending) queue.push(Buffer.from(pending, 'latin1'));
    queue.end();
  });
  source.on('close', () => queue.end());
}

/**
 * A remote process on its own channel. Its process group id arrives as a marker the wrapper prints first;
 * `kill` signals that whole group (TERM, then KILL after the grace period) through `signalGroup`, then
 * closes the channel.
 */
export function sshProcess(
  channel: ClientChannel,
  options: {
    pty: boolean;
    killGraceMs: number;
    signalGroup(pgid: number, signal: 'TERM' | 'KILL'): Promise<void>;
  },
): ProcessHandle {
  let pgid: number | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    let status: ExitStatus = { code: null, signal: null };
    channel.on('exit', (code: number | null, signal?: string) => {
      status = { code: code ?? null, signal: signal ? `SIG${signal}` : null };
    });
    channel.on('close', () => resolve(status));
  });
  const onPid = (pid: number) => {
    pgid = pid;
  };
  const stdout = chunkQueue(channel);
  const stderr = chunkQueue(channel.stderr);
  pipe(channel, stdout, options.pty ? onPid : null);
  pipe(channel.stderr, stderr, options.pty ? null : onPid);
  if (options.pty) stderr.end();
  let killing: Promise<ExitStatus> | null = null;
  return {
    get pid() {
      return pgid;
    },
    stdout,
    stderr,
    write: (data) =>
      new Promise((resolve, reject) => {
        channel.write(data, (error?: Error | null) => (error ? reject(error) : resolve()));
      }),
    async closeStdin() {
      channel.end();
    },
    wait: () => exited,
    kill() {
      killing ??= (async () => {
        if (pgid !== undefined) {
          await options.signalGroup(pgid, 'TERM').catch(() => {});
          const timer = new Promise<'timeout'>((resolve) =>
            setTimeout(() => resolve('timeout'), options.killGraceMs),
          );
          if ((await Promise.race([exited, timer])) === 'timeout')
            await options.signalGroup(pgid, 'KILL').catch(() => {});
        }
        channel.close();
        return exited;
      })();
      return killing;
    },
  };
}
