import { type AsyncQueue, chunkQueue, type FollowFileOptions, quoteShellArgs } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { CommandShell } from './command-shell.js';
import type { SshConnection } from './connection.js';

/** How often the followed files are looked at while none has more to read (as `tail -f -s 0.1`). */
const roundIntervalMs = 100;
/** Bytes read of one file per round; a file with more is read on in the next round, at once. */
const chunkBytes = 256 * 1024;

/**
 * One round over every followed file, on the target. `$1`: the byte cap; `$2`: `id,offset,pid` per follow
 * (numbers only, pid 0 for none); then two paths per follow: the file, and the file whose existence ends it
 * ('' for none). One `stat` looks at every path; its lines (`size path`, only for paths that exist, in
 * argument order) are matched to the follows in order. Each read is one `dd` (GNU; `tail | head` where dd
 * cannot skip by bytes). The end is looked at before the file is measured
 * again, so an ended follow's read reaches everything written before it ended. Prints `id ended count`
 * for each follow that grew or ended (nothing for the others), then one line of base64: the bytes read of
 * each, in that order.
 */
const roundScript = `cap=$1 spec=$2; shift 2
nl='
'
st=$(stat -L -c '%s %n' -- "$@" 2>/dev/null)$nl
reads=
for g in $spec; do
  id=\${g%%,*} r=\${g#*,}; o=\${r%%,*} p=\${r#*,}
  f=$1 x=$2; shift 2
  s=-1 e=0
  l=\${st%%"$nl"*}
  if [ -n "$l" ] && [ "\${l#* }" = "$f" ]; then s=\${l%% *}; st=\${st#*"$nl"}; fi
  l=\${st%%"$nl"*}
  if [ -n "$x" ] && [ -n "$l" ] && [ "\${l#* }" = "$x" ]; then e=1; st=\${st#*"$nl"}; fi
  if [ "$e" = 0 ] && [ "$p" != 0 ]; then
    if { read -r l < /proc/"$p"/stat; } 2>/dev/null; then
      l=\${l##*) }
      case \${l%% *} in Z|X) e=1;; esac
    else e=1; fi
  fi
  if [ "$e" = 1 ]; then s=$(stat -L -c %s -- "$f" 2>/dev/null || echo -1); fi
  n=$((s - o))
  [ "$n" -gt "$cap" ] && n=$cap
  if [ "$n" -gt 0 ] || [ "$e" = 1 ]; then
    [ "$n" -lt 0 ] && n=0
    printf '%s %s %s\\n' "$id" "$e" "$n"
    reads="$reads$o $n $f$nl"
  fi
done
printf '%s' "$reads" | while read -r o n f; do
  [ "$n" -gt 0 ] || continue
  dd if="$f" bs=65536 iflag=skip_bytes,count_bytes skip="$o" count="$n" status=none 2>/dev/null ||
    tail -c +$((o + 1)) -- "$f" | head -c "$n"
done | base64 | tr -d '\\n'
echo`;

interface Follow {
  id: number;
  path: string;
  offset: number;
  pid: number;
  endFile: string;
  queue: AsyncQueue<Uint8Array>;
  /** The reader is behind: not read on until it catches up. */
  paused: boolean;
}

/**
 * Every file followed on one SSH target, over one channel: a shell of its own (a `CommandShell`, not one
 * of the pool, so follows never wait behind commands nor commands behind follows) runs one short round
 * over all the files every 100 ms — one `stat` for all of them, then a read of those that grew, as base64
 * so offsets stay exact. Offsets are kept here: a round that fails (the connection dropped) fails the
 * follows in it, and their readers follow on from their offsets once the machine answers — the next round
 * opens the shell again. So a target holds one channel for its follows however many there are, and
 * starting a follow costs no channel set-up (and no login shell).
 */
export class FileFollows {
  private shell: CommandShell | null = null;
  private readonly follows = new Map<number, Follow>();
  private nextId = 1;
  private running = false;
  private kicked = false;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly connection: SshConnection) {}

  follow(path: string, options: FollowFileOptions): AsyncIterable<Uint8Array> {
    const offset = options.fromOffset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw new OrchaError('invalid_argument', `an offset is a byte count ≥ 0, not ${offset}`);
    const pid = options.until.pid ?? 0;
    if (!Number.isSafeInteger(pid) || pid < 0)
      throw new OrchaError('invalid_argument', `not a process id: ${pid}`);
    const endFile = options.until.file ?? '';
    // The round matches `stat`'s lines to paths: a path is one line.
    for (const name of [path, endFile])
      if (/[\n\0]/.test(name))
        throw new OrchaError('invalid_argument', `a followed path is one line: ${name}`);
    if (path === '') throw new OrchaError('invalid_argument', 'no file to follow');
    const { signal } = options;
    const follows = this;
    return (async function* () {
      const follow = follows.add(path, offset, pid, endFile);
      const stop = () => follows.remove(follow);
      if (signal?.aborted) stop();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        yield* follow.queue;
      } finally {
        signal?.removeEventListener('abort', stop);
        follows.remove(follow);
      }
    })();
  }

  /** Ends every follow (the executor is closing) and closes the channel. */
  close(): void {
    this.closed = true;
    for (const follow of [...this.follows.values()])
      this.remove(follow, new OrchaError('unavailable', 'the SSH executor was closed'));
    this.shell?.close();
    this.shell = null;
  }

  private add(path: string, offset: number, pid: number, endFile: string): Follow {
    const follow: Follow = {
      id: this.nextId++,
      path,
      offset,
      pid,
      endFile,
      paused: false,
      queue: chunkQueue({
        pause: () => {
          follow.paused = true;
        },
        resume: () => {
          follow.paused = false;
          this.kick();
        },
      }),
    };
    if (this.closed) {
      follow.queue.end(new OrchaError('unavailable', 'the SSH executor was closed'));
      return follow;
    }
    this.follows.set(follow.id, follow);
    this.kick();
    return follow;
  }

  private remove(follow: Follow, error?: Error): void {
    this.follows.delete(follow.id);
    follow.queue.end(error);
  }

  /** A follow was added or may read on: the next round runs now. */
  private kick(): void {
    this.kicked = true;
    this.wake?.();
    if (this.running) return;
    this.running = true;
    void this.rounds().finally(() => {
      this.running = false;
    });
  }

  private async rounds(): Promise<void> {
    while (this.follows.size > 0 && !this.closed) {
      this.kicked = false;
      const due = [...this.follows.values()].filter((follow) => !follow.paused);
      let more = false;
      const started = performance.now();
      if (due.length > 0) {
        try {
          more = await this.round(due);
        } catch (error) {
          const failure =
            error instanceof OrchaError
              ? error
              : new OrchaError('unavailable', `following files: ${(error as Error).message}`);
          for (const follow of due) this.remove(follow, failure);
        }
      }
      // A round that takes long (many files, a busy machine) is followed by as long a rest: following
      // never keeps the target busy more than half the time.
      if (!more && !this.kicked) await this.pause(Math.max(roundIntervalMs, performance.now() - started));
    }
  }

  /** Waits `ms` for the next round, or less when a follow is added or read on. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        this.wake = null;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** One round over `due`; true when a file had more than one round's worth to read. */
  private async round(due: readonly Follow[]): Promise<boolean> {
    if (!this.shell || this.shell.dead) this.shell = new CommandShell(this.connection);
    const spec = due.map((follow) => `${follow.id},${follow.offset},${follow.pid}`).join(' ');
    const paths = due.flatMap((follow) => [follow.path, follow.endFile]);
    const line = quoteShellArgs([
      'sh',
      '-c',
      roundScript,
      'orcha-follow',
      String(chunkBytes),
      spec,
      ...paths,
    ]);
    const result = await this.shell.run(line, {
      maxOutputBytes: due.length * (Math.ceil(chunkBytes / 3) * 4 + 64) + 1024,
    });
    if (result.code !== 0 || result.truncated)
      throw new OrchaError(
        'unavailable',
        `following files: ${result.stderr.trim() || `exit ${result.code}`}`,
      );
    const lines = result.stdout.split('\n');
    const blob = Buffer.from(lines.at(-2) ?? '', 'base64');
    const reports = lines.slice(0, -2).map((reported) => reported.split(' ').map(Number));
    if (reports.reduce((sum, [, , count]) => sum + (count ?? 0), 0) !== blob.length)
      throw new OrchaError('unavailable', 'following files: a file shrank while it was read');
    let more = false;
    let at = 0;
    for (const [id, ended, count = 0] of reports) {
      const bytes = blob.subarray(at, at + count);
      at += count;
      const follow = this.follows.get(id ?? 0);
      // Removed meanwhile (the reader stopped): what was read for it goes nowhere.
      if (!follow) continue;
      follow.offset += bytes.length;
      if (bytes.length > 0) follow.queue.push(bytes);
      if (bytes.length >= chunkBytes) more = true;
      else if (ended === 1) this.remove(follow);
    }
    return more;
  }
}
