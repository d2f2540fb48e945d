import { setMaxListeners } from 'node:events';
import { AsyncQueue } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { AgentEvent, AgentExit, AgentRun, AgentSpec } from './agent-provider.js';
import { createFakeAgent, FakeStop, stoppedError } from './fake-agent.js';
import { FakeMcpConnection } from './fake-mcp.js';
import type { FakeScript } from './fake-provider.js';

export interface FakeRunOptions {
  spec: AgentSpec;
  interactivity: 'interactive' | 'noninteractive';
  script: FakeScript;
  providerSessionId: string;
  resumed: boolean;
  /** The conversation's user messages; this run appends its prompt and every sent message. */
  conversation: string[];
}

/** Messages sent to a live run, waiting for the script to ask for them. */
export class Inbox {
  private readonly messages: string[] = [];
  private waiter: ((message: string) => void) | undefined;

  deliver(message: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(message);
    else this.messages.push(message);
  }

  next(signal: AbortSignal): Promise<string> {
    const message = this.messages.shift();
    if (message !== undefined) return Promise.resolve(message);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(stoppedError());
      const onAbort = () => {
        this.waiter = undefined;
        reject(stoppedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (text) => {
        signal.removeEventListener('abort', onAbort);
        resolve(text);
      };
    });
  }
}

/**
 * One run of a fake agent: `started`, the script, then `turn-complete` and a completed exit; cancel ends
 * it at once (a script that ignores the signal can no longer emit anything).
 */
export function createFakeRun(options: FakeRunOptions): AgentRun {
  const { spec, interactivity, conversation } = options;
  const events = new AsyncQueue<AgentEvent>();
  const stop = new AbortController();
  // A script may have many tool calls and commands in flight at once, each listening for the stop.
  setMaxListeners(0, stop.signal);
  const mcp = new FakeMcpConnection(spec.mcp);
  const inbox = new Inbox();
  let ending: Promise<AgentExit> | undefined;
  let resolveExit: (exit: AgentExit) => void = () => {};
  const exited = new Promise<AgentExit>((resolve) => {
    resolveExit = resolve;
  });

  const emit = (event: AgentEvent) => {
    if (!ending) events.push(event);
  };

  /** The first end wins: later ones (a script finishing after cancel) change nothing. */
  const end = (exit: AgentExit): Promise<AgentExit> => {
    ending ??= (async () => {
      stop.abort();
      await mcp.close();
      events.push(exit);
      events.end();
      resolveExit(exit);
      return exit;
    })();
    return ending;
  };

  const history = [...conversation];
  conversation.push(spec.prompt);
  events.push({ type: 'started', providerSessionId: options.providerSessionId, model: 'fake' });

  const agent = createFakeAgent({
    spec,
    interactivity,
    prompt: spec.prompt,
    resumed: options.resumed,
    history,
    signal: stop.signal,
    emit,
    end,
    mcp,
    nextMessage: () => inbox.next(stop.signal),
  });

  // Started on a later tick so the caller holds the run (and can read its events) before the script acts.
  void Promise.resolve()
    .then(() => options.script(agent))
    .then(
      (result) => {
        emit({ type: 'turn-complete', result: result ?? null, isError: false });
        void end({ type: 'exited', code: 0, reason: 'completed' });
      },
      (error: unknown) => {
        if (ending || error instanceof FakeStop) return;
        const message = error instanceof Error ? error.message : String(error);
        emit({ type: 'error', kind: 'crashed', message, resetsAt: null });
        void end({ type: 'exited', code: null, reason: 'crashed' });
      },
    );

  return {
    events,
    async send(text) {
      if (interactivity === 'noninteractive') {
        throw new OrchaError(
          'capability_unsupported',
          'a noninteractive run takes no messages; cancel it and resume the conversation instead',
        );
      }
      if (ending) throw new OrchaError('unavailable', `the fake run of ${spec.sessionId} has ended`);
      conversation.push(text);
      inbox.deliver(text);
    },
    async cancel() {
      await end({ type: 'exited', code: null, reason: 'canceled' });
    },
    wait: () => exited,
  };
}
