import { type Executor, poll } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { PaneChunk, PaneStatus } from './tmux-controller.js';

const watchIntervalMs = 300;
/**
 * Waits (at most 5 s) until the pipe's reader, whose pid is in the file `$3`, has written every byte tmux
 * gave it: tmux marks a pane dead only once the pipe (a socket pair) holds all its program wrote, so a
 * reader asleep in a read of it (Linux's /proc tells; a woken one is running, not asleep) has emptied it
 * into the log. A reader that is gone has too; where /proc does not tell, it does not wait.
 */
const awaitReaderScript = `i=0
while [ -n "$3" ] && [ $i -lt 250 ]; do
  if p=$(cat -- "$3" 2>/dev/null) && [ -n "$p" ]; then
    s=$(cat /proc/"$p"/stat 2>/dev/null) && w=$(cat /proc/"$p"/wchan 2>/dev/null) || break
    s=\${s##*) }
    case "\${s%% *} $w" in "S "*unix_stream*|"S "*pipe*|"S 0"|"S "|Z*) break;; esac
  fi
  sleep 0.02; i=$((i+1))
done`;

/**
 * Reads a pane log from `fromOffset` to its current end, on the executor's machine, as one short command
 * (on an SSH target: a round trip on a pooled shell, no channel of its own). The bytes travel as base64, so
 * offsets stay exact whatever the program wrote. With `readerFile`, it first waits for the pipe's reader to
 * have written all it was given (a dead pane's last bytes).
 */
export async function readPaneLog(
  executor: Executor,
  path: string,
  fromOffset: number,
  options: { readerFile?: string } = {},
): Promise<PaneChunk> {
  checkOffset(fromOffset);
  const result = await executor.run(
    'sh',
    [
      '-c',
      `[ -e "$2" ] || { echo "No such file: $2" >&2; exit 3; }
${awaitReaderScript}
[ -f "$2" ] && [ -r "$2" ] || { echo "not a readable file: $2" >&2; exit 4; }
tail -c +"$1" -- "$2" | base64 | tr -d "\\n"`,
      'orcha-read-pane',
      String(fromOffset + 1),
      path,
      options.readerFile ?? '',
    ],
    { maxOutputBytes: 256 * 1024 * 1024 },
  );
  if (result.code !== 0) {
    const message = result.stderr.trim();
    if (/No such file/.test(message)) throw new OrchaError('not_found', `no pane log at ${path}`);
    throw new OrchaError('unavailable', `reading ${path}: ${message}`);
  }
  if (result.truncated)
    throw new OrchaError('unavailable', `reading ${path}: the log is too large to read at once`);
  const data = Buffer.from(result.stdout, 'base64');
  return { data, nextOffset: fromOffset + data.length };
}

/**
 * A pane log; the file the pane's shell writes the program's exit status to; the file holding the pid of
 * the pipe's reader (the `cat` that writes the log).
 */
export interface PaneFiles {
  log: string;
  exit: string;
  reader: string;
}

/**
 * Follows a pane log until the pane's program has exited, then reads on once more, when the pipe's reader
 * has written all: that last read catches the bytes written to the log after the follow's final look.
 * Through the executor's `followFile` where it has one (an SSH target: every follow of the target shares
 * one channel), which ends once the pane's process is gone or the exit status is written; else with
 * `tail -f --pid=<pane pid>`.
 */
export async function* followPaneLog(
  executor: Executor,
  files: PaneFiles,
  status: () => Promise<PaneStatus | null>,
  options: { fromOffset?: number; signal?: AbortSignal } = {},
): AsyncGenerator<PaneChunk> {
  let offset = options.fromOffset ?? 0;
  checkOffset(offset);
  const { signal } = options;
  const initial = await status();
  if (initial && !initial.dead && !signal?.aborted) {
    const chunks = executor.followFile
      ? executor.followFile(files.log, {
          fromOffset: offset,
          until: { pid: initial.panePid, file: files.exit },
          signal,
        })
      : tailPaneLog(executor, files.log, initial.panePid, offset, status, signal);
    for await (const chunk of chunks) {
      offset += chunk.length;
      yield { data: chunk, nextOffset: offset };
    }
  }
  if (signal?.aborted) return;
  const rest = await readPaneLog(executor, files.log, offset, { readerFile: files.reader }).catch(
    (error: unknown) => {
      if (error instanceof OrchaError && error.code === 'not_found') return undefined;
      throw error;
    },
  );
  if (rest?.data.length) yield rest;
}

/**
 * `tail -f --pid=<pane pid>` from `offset`: chunks arrive as tmux writes them (inotify), and tail ends by
 * itself once the pane's program has exited and the rest of the log is read; a watch on the pane stops it
 * too.
 */
async function* tailPaneLog(
  executor: Executor,
  path: string,
  panePid: number,
  offset: number,
  status: () => Promise<PaneStatus | null>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const handle = await executor.spawn('tail', [
    '-c',
    `+${offset + 1}`,
    '-f',
    '-s',
    '0.1',
    `--pid=${panePid}`,
    path,
  ]);
  let following = true;
  const stop = () => void handle.kill().catch(() => {});
  signal?.addEventListener('abort', stop, { once: true });
  const stderr = collect(handle.stderr);
  // tail's --pid sees a zombie as alive, and tmux 3.3 now and then reaps a pane's process late: watch
  // the pane too, and stop tail once it is dead (the final read picks up what tail missed).
  const watcher = poll(
    async () => {
      if (!following) return true;
      const now = await status().catch(() => null);
      if (now && !now.dead) return false;
      stop();
      return true;
    },
    { intervalMs: watchIntervalMs },
  );
  try {
    yield* handle.stdout;
  } finally {
    following = false;
    signal?.removeEventListener('abort', stop);
    await handle.kill();
    await Promise.all([stderr, watcher]);
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new OrchaError('invalid_argument', `a pane offset is a byte count ≥ 0, not ${offset}`);
  }
}
