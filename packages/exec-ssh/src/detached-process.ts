import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import {
  type AsyncQueue,
  chunkQueue,
  delay,
  type Executor,
  type ExitStatus,
  type ProcessHandle,
  quoteShellArg,
  type RunResult,
  type SpawnOptions,
} from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { environmentExports, missingCommandStatus, remoteCommand } from './remote-command.js';

/** What a detached process needs of its executor. */
export interface DetachedDeps {
  /** Runs one shell line on a pooled command shell; rejects `unavailable` when the machine cannot be reached. */
  runLine(line: string): Promise<RunResult>;
  /** The executor's follow of a file (every follow of the target on one channel), for the spool files. */
  followFile: NonNullable<Executor['followFile']>;
  /** A group that could not be killed now (the machine does not answer): killed once it answers again. */
  killLater(leftover: Leftover): void;
}

/** A detached process group orcha gave up on, and the directory that proves it is still ours. */
export interface Leftover {
  pgid: number;
  dir: string;
}

const reconnectDelaysMs = [100, 200, 400, 800, 1_500, 2_000];
const defaultReconnectWaitMs = 600_000;
/** How long a kill waits for the machine to answer before the group is left to `killLater`. */
const killReachMs = 5_000;

/**
 * The wrapper, run by `setsid sh -c <wrapper> orcha-detached <dir>`: it leads the process group and outlives
 * any connection. Its stdin comes from `in` (appended to by `write`) through `tail -f`, which ends once the
 * `holder` is killed (`closeStdin`) or the program is gone; stdout and stderr go to `out` and `err`; the exit
 * status to `exit` (written whole, by rename). TERM, HUP and INT reach the program (default action there)
 * while the wrapper lives on to record how it ended.
 */
function wrapperScript(inner: string): string {
  return [
    'd=$1',
    'trap : TERM HUP INT',
    'sleep 2147483647 </dev/null >/dev/null 2>&1 & h=$!',
    'echo "$h" > "$d/holder"',
    'echo "$$" > "$d/pid.part" && mv -f -- "$d/pid.part" "$d/pid"',
    'tail -c +1 -s 0.1 -f --pid="$h" -- "$d/in" 2>/dev/null | {',
    '  trap : TERM HUP INT',
    `  ( ${inner}`,
    '  ) > "$d/out" 2> "$d/err"',
    '  echo "$?" > "$d/exit.part"',
    '  kill "$h" 2>/dev/null',
    '}',
    'mv -f -- "$d/exit.part" "$d/exit"',
  ].join('\n');
}

/** The line that kills a leftover group, only while its wrapper (named by its directory) still runs. */
export function leftoverKillLine(leftovers: readonly Leftover[]): string {
  return leftovers
    .map(
      ({ pgid, dir }) =>
        `if tr '\\0' ' ' < /proc/${pgid}/cmdline 2>/dev/null | grep -qF -- ${quoteShellArg(dir)}; then kill -KILL -${pgid} 2>/dev/null; fi; rm -rf -- ${quoteShellArg(dir)}`,
    )
    .concat('true')
    .join('; ');
}

/** Shell test: the group's leader `pid` lives (a zombie, which its new parent may reap late, is gone). */
const alive = (pid: string) =>
  `{ kill -0 ${pid} 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' /proc/${pid}/status; }`;

/**
 * The line that ends every detached group spooled below `dir` (one or two levels down: a session's spool
 * directory, or the directory of every session's): TERM, a second for them to end, KILL, spools removed.
 * A group counts only while its wrapper's command line still names its directory (a reused pid never
 * does). Prints how many were running.
 */
export function sweepLine(dir: string): string {
  const root = quoteShellArg(dir);
  const ours = `tr '\\0' ' ' < /proc/"$p"/cmdline 2>/dev/null | grep -qF -- "\${f%/pid}"`;
  const each = (body: string) =>
    `for f in ${root}/run-*/pid ${root}/*/run-*/pid; do [ -f "$f" ] || continue; p=$(cat -- "$f"); ${body}; done`;
  return [
    'n=0',
    each(`if ${ours}; then kill -TERM -"$p" 2>/dev/null; n=$((n+1)); fi`),
    '[ "$n" -gt 0 ] && sleep 1',
    each(`if ${ours}; then kill -KILL -"$p" 2>/dev/null; fi; rm -rf -- "\${f%/pid}"`),
    'echo "$n"',
  ].join('\n');
}

type State = { kind: 'running' } | { kind: 'ended'; code: number | null } | { kind: 'unreachable' };

interface Output {
  queue: AsyncQueue<Uint8Array>;
  /** Resolves while the reader keeps up (back-pressure: the follow waits before it reads on). */
  room(): Promise<void>;
}

function output(): Output {
  let gate: { promise: Promise<void>; open(): void } | null = null;
  const queue = chunkQueue({
    pause() {
      if (gate) return;
      let open = () => {};
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      gate = { promise, open };
    },
    resume() {
      gate?.open();
      gate = null;
    },
  });
  return { queue, room: () => gate?.promise ?? Promise.resolve() };
}

/**
 * Starts `command` detached from the connection (see `SpawnOptions.detach`) and returns its handle: output
 * followed (`followFile`: the target's one follow channel) from the last byte read, again after every
 * dropped connection, until the program has ended and its spool is read to the end; then its exit status
 * is read and its directory removed.
 */
export async function spawnDetached(
  deps: DetachedDeps,
  command: string,
  args: readonly string[],
  options: SpawnOptions & { detach: { dir: string; reconnectWaitMs?: number | undefined } },
): Promise<ProcessHandle> {
  const parent = options.detach.dir;
  const dir = posix.join(parent, `run-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
  const d = quoteShellArg(dir);
  const inner = remoteCommand(command, args, { cwd: options.cwd, ownGroup: false });
  // The environment is exported by the command shell, whose line arrives on its input: values (which may
  // be secrets) never appear on a command line.
  const launch = [
    `mkdir -p -- ${d} && : > ${d}/in && : > ${d}/out && : > ${d}/err || { echo "orcha: cannot make "${d} >&2; exit 1; }`,
    `command -v setsid >/dev/null 2>&1 || { echo "orcha: command not found: setsid" >&2; exit ${missingCommandStatus}; }`,
    ...environmentExports(options.env ?? {}),
    `setsid sh -c ${quoteShellArg(wrapperScript(inner))} orcha-detached ${d} </dev/null >/dev/null 2>&1 &`,
    `i=0; while [ ! -s ${d}/pid ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done`,
    `cat -- ${d}/pid`,
  ].join('\n');
  const launched = await deps.runLine(launch);
  const pgid = Number(launched.stdout.trim());
  if (launched.code === missingCommandStatus)
    throw new OrchaError('not_found', launched.stderr.trim() || 'setsid is missing on the target');
  if (launched.code !== 0 || !Number.isSafeInteger(pgid) || pgid <= 1)
    throw new OrchaError(
      'unavailable',
      `the detached process did not start: ${launched.stderr.trim() || `exit ${launched.code}`}`,
    );

  const reconnectWaitMs = options.detach.reconnectWaitMs ?? defaultReconnectWaitMs;
  const killGraceMs = options.killGraceMs ?? 2_000;
  /** Aborted when orcha gives up on the process (a kill that could not be delivered). */
  const giveUp = new AbortController();

  /** Runs a line, waiting out a dropped connection; null when the machine did not answer within `waitMs`. */
  const through = async (line: string, waitMs = reconnectWaitMs): Promise<RunResult | null> => {
    const until = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      if (giveUp.signal.aborted) return null;
      try {
        return await deps.runLine(line);
      } catch (error) {
        const reachable = !(error instanceof OrchaError) || error.code !== 'unavailable';
        if (reachable || Date.now() >= until) return null;
        await delay(reconnectDelaysMs[Math.min(attempt, reconnectDelaysMs.length - 1)]!);
      }
    }
  };

  const state = async (): Promise<State> => {
    const result = await through(
      `if [ -e ${d}/exit ]; then printf 'exit %s' "$(cat -- ${d}/exit)"; elif ${alive(String(pgid))}; then printf running; else printf gone; fi`,
    );
    if (!result) return { kind: 'unreachable' };
    const text = result.stdout.trim();
    if (text === 'running') return { kind: 'running' };
    const code = /^exit (\d+)$/.exec(text);
    return { kind: 'ended', code: code ? Number(code[1]) : null };
  };

  /** Follows one spool file to its end; 'unreachable' when orcha gave up on the machine first. */
  const follow = async (name: 'out' | 'err', out: Output): Promise<'ended' | 'unreachable'> => {
    const file = `${dir}/${name}`;
    let offset = 0;
    const take = async (chunk: Uint8Array) => {
      offset += chunk.length;
      out.queue.push(chunk);
      await out.room();
    };
    for (let idle = 0; ; idle++) {
      const before = offset;
      try {
        const until = { pid: pgid, file: `${dir}/exit` };
        for await (const chunk of deps.followFile(file, { fromOffset: offset, until, signal: giveUp.signal }))
          await take(chunk);
      } catch {
        // The connection dropped (or could not be opened): the state below says what to do.
      }
      if (giveUp.signal.aborted) return 'unreachable';
      const now = await state();
      if (now.kind === 'unreachable') return 'unreachable';
      if (now.kind === 'running') {
        if (offset > before) idle = 0;
        else await delay(reconnectDelaysMs[Math.min(idle, reconnectDelaysMs.length - 1)]!);
        continue;
      }
      // Ended: what tail did not deliver before it stopped is read in one go (base64 keeps bytes exact).
      const rest = await through(`tail -c +${offset + 1} -- ${quoteShellArg(file)} | base64 | tr -d '\\n'`);
      if (rest?.code === 0 && rest.stdout) await take(Buffer.from(rest.stdout, 'base64'));
      return 'ended';
    }
  };

  const stdout = output();
  const stderr = output();
  const exited: Promise<ExitStatus> = (async () => {
    const ends = await Promise.all([follow('out', stdout), follow('err', stderr)]);
    stdout.queue.end();
    stderr.queue.end();
    const end = ends.includes('unreachable') ? ({ kind: 'unreachable' } as const) : await state();
    if (end.kind !== 'ended') {
      deps.killLater({ pgid, dir });
      return { code: null, signal: null };
    }
    await through(`rm -rf -- ${d}; rmdir -- ${quoteShellArg(parent)} 2>/dev/null; true`);
    // Killed outright (KILL reaches the wrapper too), it wrote no status.
    return end.code === null ? { code: null, signal: 'SIGKILL' } : { code: end.code, signal: null };
  })();

  let writing: Promise<void> = Promise.resolve();
  let written = 0;
  let broken: OrchaError | null = null;
  let killing: Promise<ExitStatus> | null = null;
  const signal = (name: 'TERM' | 'KILL') =>
    through(`kill -${name} -${pgid} 2>/dev/null; true`, Math.min(killReachMs, reconnectWaitMs));

  return {
    pid: pgid,
    stdout: stdout.queue,
    stderr: stderr.queue,
    write(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
      const n = written++;
      // Appended in one command whose whole line the shell has read before it runs (never half a write),
      // and only while the count of writes is `n`: a write retried through a drop is appended once.
      const line =
        `if [ "$(cat -- ${d}/written 2>/dev/null || echo 0)" = ${n} ]; then ` +
        `printf '%s' '${bytes.toString('base64')}' | base64 -d >> ${d}/in && echo ${n + 1} > ${d}/written; fi`;
      const next = writing.then(async () => {
        if (broken) throw broken;
        const result = await through(line);
        if (result?.code === 0) return;
        // What follows a lost write would be out of order: the input is broken from here on.
        broken = new OrchaError(
          'unavailable',
          `writing to the process failed: ${result ? result.stderr.trim() : 'the machine is away'}`,
        );
        throw broken;
      });
      writing = next.catch(() => {});
      return next;
    },
    async closeStdin() {
      await writing;
      await through(`kill "$(cat -- ${d}/holder)" 2>/dev/null; true`);
    },
    wait: () => exited,
    kill() {
      killing ??= (async () => {
        if (!(await signal('TERM'))) {
          giveUp.abort();
          return exited;
        }
        const timer = delay(killGraceMs, { unref: true }).then(() => 'timeout' as const);
        if ((await Promise.race([exited, timer])) === 'timeout' && !(await signal('KILL'))) giveUp.abort();
        return exited;
      })();
      return killing;
    },
  };
}
