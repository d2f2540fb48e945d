import { OrchaError } from '@orcha/model';
import type { AgentErrorKind, AgentEvent, AgentExit, AgentSpec, AgentUsage } from './agent-provider.js';
import type { FakeMcpConnection } from './fake-mcp.js';
import type { FakeAgent } from './fake-provider.js';

/** Thrown by `fail` and `exhaust` to unwind the script; the run has already ended by then. */
export class FakeStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FakeStop';
  }
}

/** What the script's pending waits reject with once the run is canceled. */
export function stoppedError(): Error {
  const error = new Error('the fake run was stopped');
  error.name = 'AbortError';
  return error;
}

export interface FakeAgentContext {
  spec: AgentSpec;
  interactivity: 'interactive' | 'noninteractive';
  prompt: string;
  resumed: boolean;
  history: readonly string[];
  signal: AbortSignal;
  emit(event: AgentEvent): void;
  end(exit: AgentExit): Promise<AgentExit>;
  mcp: FakeMcpConnection;
  nextMessage(): Promise<string>;
}

export function createFakeAgent(context: FakeAgentContext): FakeAgent {
  const { spec, signal, emit } = context;
  const totals: AgentUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 0, cumulative: true };
  let calls = 0;

  const stopWith = (kind: AgentErrorKind, message: string, resetsAt: number | null): never => {
    emit({ type: 'error', kind, message, resetsAt });
    void context.end({ type: 'exited', code: 1, reason: 'failed' });
    throw new FakeStop(message);
  };

  const abortable = <T>(start: (resolve: (value: T) => void) => () => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(stoppedError());
      const cleanup = start((value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      });
      const onAbort = () => {
        cleanup();
        reject(stoppedError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });

  return {
    spec,
    interactivity: context.interactivity,
    prompt: context.prompt,
    resumed: context.resumed,
    history: context.history,
    signal,
    say(text) {
      emit({ type: 'text', text });
    },
    async callTool(name, args = {}) {
      const id = `call_${++calls}`;
      emit({ type: 'tool-call', id, name, input: args });
      let outcome: Awaited<ReturnType<FakeMcpConnection['call']>>;
      try {
        outcome = await context.mcp.call(name, args, signal);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        emit({ type: 'tool-result', id, output: message, isError: true });
        throw error;
      }
      emit({ type: 'tool-result', id, output: outcome.output, isError: outcome.isError });
      if (outcome.isError) throw new Error(`tool ${name} failed: ${outcome.output}`);
      return outcome.value;
    },
    usage(delta) {
      totals.inputTokens += delta.inputTokens ?? 0;
      totals.outputTokens += delta.outputTokens ?? 0;
      totals.costUsd += delta.costUsd ?? 0;
      totals.modelCalls += delta.modelCalls ?? 0;
      emit({ type: 'usage', usage: { ...totals } });
    },
    async run(command, args) {
      const result = await spec.executor.run(command, args, { cwd: spec.cwd, env: spec.env, signal });
      return { code: result.code, stdout: result.stdout, stderr: result.stderr };
    },
    async writeFile(relativePath, content) {
      await spec.executor.files(spec.cwd).write(relativePath, content);
    },
    async waitForInput(result) {
      if (context.interactivity === 'noninteractive') {
        throw new OrchaError('capability_unsupported', 'a noninteractive run cannot wait for input');
      }
      emit({ type: 'turn-complete', result: result ?? null, isError: false });
      return context.nextMessage();
    },
    fail(message, kind = 'other') {
      return stopWith(kind, message, null);
    },
    exhaust(resetsAt, message = 'the usage limit is reached') {
      return stopWith('usage_exhausted', message, resetsAt);
    },
    hang() {
      return abortable<never>(() => () => {});
    },
    sleep(ms) {
      return abortable<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        return () => clearTimeout(timer);
      });
    },
  };
}
