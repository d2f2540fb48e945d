import type { AgentEvent, AgentExit, AgentRun } from '@orcha/agent';
import type { ProcessHandle } from '@orcha/exec';
import { AsyncQueue } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { CodexEventMapper, type CodexEventMapperOptions } from './codex-event-mapper.js';
import { parseCodexLine } from './codex-line.js';

const stderrTailBytes = 2000;
const backtrace = 'Stack backtrace:';
/** Codex's own notices on stderr that explain nothing about a failure. */
const stderrNoise = /^(Reading additional input from stdin\.\.\.|WARNING: proceeding, even though .*)$/;

/**
 * One `codex exec` process as an AgentRun: stdout lines become events through the mapper, stderr is
 * kept (its tail) for failures Codex reports only there, and the process's end becomes the one `exited`.
 */
export function createCodexRun(child: ProcessHandle, options: CodexEventMapperOptions): AgentRun {
  const mapper = new CodexEventMapper(options);
  const queue = new AsyncQueue<AgentEvent>();
  let canceled = false;
  let processEnded = false;
  let stderr = '';
  void child.wait().then(() => {
    processEnded = true;
  });

  const readStdout = async () => {
    const decoder = new TextDecoder();
    let pending = '';
    const take = (text: string) => {
      pending += text;
      // Search only the new text: a long line arriving in many chunks is not rescanned each time.
      let newline = pending.indexOf('\n', pending.length - text.length);
      while (newline >= 0) {
        const line = parseCodexLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        if (line) queue.push(...mapper.map(line));
        newline = pending.indexOf('\n');
      }
    };
    for await (const chunk of child.stdout) take(decoder.decode(chunk, { stream: true }));
    take(`${decoder.decode()}\n`);
  };
  const readStderr = async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      // Keep draining, but what follows a backtrace header explains nothing.
      if (stderr.includes(backtrace)) continue;
      stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-4 * stderrTailBytes);
    }
  };

  const exited: Promise<AgentExit> = (async () => {
    // A reader that fails (a stream torn down by kill) must not keep the exit from being reported.
    await Promise.all([readStdout().catch(() => {}), readStderr().catch(() => {})]);
    const status = await child.wait();
    const events = mapper.finish({
      code: status.code,
      signal: status.signal,
      canceled,
      stderrTail: stderrTail(stderr),
    });
    queue.push(...events);
    queue.end();
    return events.at(-1) as AgentExit;
  })();

  return {
    events: queue,
    async send() {
      throw new OrchaError(
        'capability_unsupported',
        'codex exec takes no input while it runs; cancel the run and resume the thread with the message',
      );
    },
    async cancel() {
      // A run that already ended on its own keeps its own outcome.
      if (!processEnded) canceled = true;
      await child.kill();
      await exited;
    },
    wait: () => exited,
  };
}

/** The part of Codex's stderr worth showing: its notices and the backtrace after an error left out. */
export function stderrTail(stderr: string): string {
  // Rust's backtrace after an error is a page of `<unknown>` frames in release builds.
  return (stderr.split(backtrace)[0] ?? '')
    .split('\n')
    .filter((line) => line.trim() && !stderrNoise.test(line.trim()))
    .join('\n')
    .slice(-stderrTailBytes);
}
