import type { AgentEvent, AgentExit, AgentRun } from '@orcha/agent';
import { AsyncQueue, delay, type ProcessHandle } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import { ClaudeEventMapper } from './event-mapper.js';
import { interruptLine, parseStreamLine, userLine } from './stream-json.js';

export interface ClaudeRunOptions {
  handle: ProcessHandle;
  prompt: string;
  /** How long cancel lets an interrupt settle (the CLI records it in the transcript) before killing. */
  interruptGraceMs: number;
  /** Runs once the process is gone, whatever the outcome (removes the temp MCP config). */
  cleanup: () => Promise<void>;
}

/** Bytes of stderr kept to explain a failure: the CLI's fatal errors are stderr-only. */
const stderrKept = 4096;

/**
 * One long-lived `claude -p` stream-json process as an AgentRun: the prompt is the first user line,
 * `send` writes another, stdout lines become events through the mapper, and the process's end becomes
 * exactly one `exited`.
 */
export async function startClaudeRun(options: ClaudeRunOptions): Promise<AgentRun> {
  const { handle } = options;
  const events = new AsyncQueue<AgentEvent>();
  const mapper = new ClaudeEventMapper();
  let stderr = '';
  let canceling = false;
  let endedByUs = false;
  let turnOpen = false;
  let lastResultFailed = false;
  let exit: AgentExit | undefined;
  /** Wakes `cancel` when the interrupt it sent has been answered. */
  let settled: (() => void) | undefined;

  const write = (line: string) => handle.write(line);
  const crashed = (message: string) =>
    events.push({ type: 'error', kind: 'crashed', message, resetsAt: null });

  const readStdout = async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    const onLine = (line: string) => {
      const parsed = parseStreamLine(line);
      if (parsed.kind !== 'message') return;
      const message = parsed.message;
      if (message.type === 'result') {
        turnOpen = false;
        lastResultFailed = message.is_error;
        settled?.();
      }
      if (message.type === 'control_response' && !turnOpen) settled?.();
      // Once canceling, the run's story is "canceled": the interrupted turn's result is not news.
      if (canceling) return;
      const mapped = mapper.map(message);
      for (const event of mapped.events) events.push(event);
      if (mapped.fatal) {
        endedByUs = true;
        void handle.closeStdin().catch(() => {});
      }
    };
    for await (const chunk of handle.stdout) {
      // Lines can be megabytes (tool output): look for the newline only in what just arrived.
      const scanned = buffered.length;
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf('\n', scanned);
      while (newline >= 0) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    }
    buffered += decoder.decode();
    if (buffered) onLine(buffered);
  };

  const readStderr = async () => {
    const decoder = new TextDecoder();
    for await (const chunk of handle.stderr) {
      stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-stderrKept);
    }
  };

  const settle = async (): Promise<AgentExit> => {
    await Promise.all([readStdout().catch(() => {}), readStderr().catch(() => {})]);
    const status = await handle.wait();
    if (canceling) return { type: 'exited', code: status.code, reason: 'canceled' };
    const said = stderr.trim();
    if (status.code === null || status.code >= 128) {
      const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
      crashed(`claude was killed (${how})${said ? `: ${said}` : ''}`);
      return { type: 'exited', code: status.code, reason: 'crashed' };
    }
    if (status.code === 0) return { type: 'exited', code: 0, reason: 'completed' };
    if (endedByUs || lastResultFailed) return { type: 'exited', code: status.code, reason: 'failed' };
    if (mapper.providerSessionId === null) {
      // Never got going: bad flags, a refused permission mode, a busy session id (stderr-only errors).
      events.push({
        type: 'error',
        kind: 'other',
        message: said || `claude exited with code ${status.code}`,
        resetsAt: null,
      });
      return { type: 'exited', code: status.code, reason: 'failed' };
    }
    crashed(`claude exited unexpectedly with code ${status.code}${said ? `: ${said}` : ''}`);
    return { type: 'exited', code: status.code, reason: 'crashed' };
  };

  const finished: Promise<AgentExit> = settle()
    .catch((error: unknown): AgentExit => {
      crashed(`reading claude's output failed: ${error instanceof Error ? error.message : String(error)}`);
      return { type: 'exited', code: null, reason: 'crashed' };
    })
    .then(async (result) => {
      await options.cleanup().catch(() => {});
      exit = result;
      events.push(result);
      events.end();
      return result;
    });

  turnOpen = true;
  await write(userLine(options.prompt)).catch(() => {
    // The process died before reading its prompt; `settle` reports how.
  });

  return {
    events,
    async send(text) {
      if (exit || canceling) throw new OrchaError('unavailable', 'the claude run has ended');
      turnOpen = true;
      await write(userLine(text));
    },
    async cancel() {
      if (exit || canceling) {
        await finished;
        return;
      }
      canceling = true;
      const answered = new Promise<void>((resolve) => {
        settled = resolve;
      });
      const written = await write(interruptLine(`orcha_interrupt_${Date.now()}`)).then(
        () => true,
        () => false,
      );
      if (written) await Promise.race([answered, finished, delay(options.interruptGraceMs, { unref: true })]);
      await handle.kill();
      await finished;
    },
    wait: () => finished,
  };
}
