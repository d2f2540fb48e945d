import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { OrchaError } from '@orcha/model';
import type { ProcessHandle, RunOptions, RunResult, SpawnOptions } from './executor.js';

const defaultMaxOutputBytes = 10 * 1024 * 1024;

type Spawn = (command: string, args: readonly string[], options?: SpawnOptions) => Promise<ProcessHandle>;

/**
 * `Executor.run` on top of any `spawn`: feeds `input`, collects both streams up to `maxOutputBytes`
 * (the rest is read and dropped, so the process never blocks on a full pipe), and kills the process
 * group on timeout or abort. Shared by executors so they agree on these semantics.
 */
export async function runProcess(
  spawn: Spawn,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(command);
  const handle = await spawn(command, args, { cwd: options.cwd, env: options.env });
  const limit = options.maxOutputBytes ?? defaultMaxOutputBytes;
  let truncated = false;

  const collect = async (stream: AsyncIterable<Uint8Array>) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let kept = 0;
    for await (const chunk of stream) {
      if (kept >= limit) {
        truncated = true;
        continue;
      }
      const room = limit - kept;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part !== chunk) truncated = true;
      kept += part.length;
      text += decoder.write(Buffer.from(part.buffer, part.byteOffset, part.length));
    }
    return text + decoder.end();
  };

  let stopped: 'timeout' | 'abort' | undefined;
  const stop = (why: 'timeout' | 'abort') => {
    if (stopped) return;
    stopped = why;
    handle.kill().catch(() => {});
  };
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('abort');
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const feeding = (async () => {
      if (options.input !== undefined) await handle.write(options.input).catch(() => {});
      await handle.closeStdin().catch(() => {});
    })();
    const [stdout, stderr, status] = await Promise.all([
      collect(handle.stdout),
      collect(handle.stderr),
      handle.wait(),
      feeding,
    ]);
    if (stopped === 'timeout') {
      throw new OrchaError('unavailable', `${command} timed out after ${options.timeoutMs} ms`, {
        timedOut: true,
        command,
      });
    }
    if (stopped === 'abort') throw abortError(command);
    const code = status.code ?? 128 + signalNumber(status.signal);
    return { code, signal: status.signal, stdout, stderr, truncated };
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function abortError(command: string): OrchaError {
  const error = new OrchaError('unavailable', `${command} was aborted`, { aborted: true, command });
  error.name = 'AbortError';
  return error;
}

function signalNumber(signal: string | null): number {
  if (!signal) return 0;
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}
