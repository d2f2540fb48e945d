import { randomUUID } from 'node:crypto';
import { OrchaError } from '@orcha/model';
import type { AgentErrorKind, AgentProvider, AgentRun, AgentSpec } from './agent-provider.js';
import { createFakeRun } from './fake-run.js';
import { promptLanguageScript } from './prompt-language.js';

export interface FakeProviderOptions {
  /** The agent name sessions use; default `fake`. */
  name?: string;
  /** Default `interactive`. */
  interactivity?: 'interactive' | 'noninteractive';
  /** What the agent does in each run; default: `promptLanguageScript` (the contract's prompt language). */
  script?: FakeScript;
}

/** What the agent does in one run. The resolved value is the turn's result (`turn-complete`). */
// biome-ignore lint/suspicious/noConfusingVoidType: lets plain `async () => {}` scripts type-check.
export type FakeScript = (agent: FakeAgent) => Promise<string | void>;

/** The fake agent as its script sees it: real side effects (MCP calls, commands, files), scripted talk. */
export interface FakeAgent {
  readonly spec: AgentSpec;
  readonly interactivity: 'interactive' | 'noninteractive';
  /** This run's prompt (the start or resume prompt). */
  readonly prompt: string;
  readonly resumed: boolean;
  /** Earlier user prompts and sent messages of this conversation (across resumes), oldest first. */
  readonly history: readonly string[];
  /** Aborted when the run is canceled (or has ended). */
  readonly signal: AbortSignal;
  /** Emits a `text` event. */
  say(text: string): void;
  /**
   * A real MCP tool call to `spec.mcp` (Streamable HTTP, bearer token). Emits `tool-call` and
   * `tool-result`; resolves with structuredContent, else the text content parsed as JSON, else the text.
   * A tool error is reported as an error `tool-result` and rejects.
   */
  callTool(name: string, args?: Record<string, unknown>): Promise<unknown>;
  /** Adds to this run's usage and emits the cumulative totals. */
  usage(delta: { inputTokens?: number; outputTokens?: number; costUsd?: number; modelCalls?: number }): void;
  /** Runs a command through `spec.executor` in `spec.cwd`; killed when the run is canceled. */
  run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Writes a file under `spec.cwd` through the executor; paths leaving the cwd are refused. */
  writeFile(relativePath: string, content: string): Promise<void>;
  /**
   * Interactive runs: completes the turn (`turn-complete` with `result`, default null) and resolves with the
   * next message sent to the run. Noninteractive runs reject with `capability_unsupported`.
   */
  waitForInput(result?: string): Promise<string>;
  /** An `error` event (default kind `other`), then the run exits `failed` with code 1. */
  fail(message: string, kind?: AgentErrorKind): never;
  /** A `usage_exhausted` error with `resetsAt`, then the run exits `failed`. */
  exhaust(resetsAt: number, message?: string): never;
  /** Never resolves; rejects once the run is canceled. */
  hang(): Promise<never>;
  /** A delay that rejects once the run is canceled. */
  sleep(ms: number): Promise<void>;
}

/** The fake provider, plus what tests and the demo want to look at. */
export interface FakeProvider extends AgentProvider {
  readonly interactivity: 'interactive' | 'noninteractive';
  /** Whether a run of this orcha session has not exited yet. */
  isRunning(sessionId: string): boolean;
  /** The user messages of a conversation so far (prompts and sent messages), by providerSessionId. */
  conversation(providerSessionId: string): readonly string[];
}

/**
 * An AgentProvider whose "model" is a script: the engine of the offline demo and of orchestrator tests.
 * Conversations live in this instance, so `resume` continues them while the instance lives.
 */
export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const interactivity = options.interactivity ?? 'interactive';
  const script = options.script ?? promptLanguageScript;
  const conversations = new Map<string, string[]>();
  const live = new Map<string, number>();

  const launch = (spec: AgentSpec, providerSessionId: string, resumed: boolean): AgentRun => {
    let conversation = conversations.get(providerSessionId);
    if (!conversation) {
      conversation = [];
      conversations.set(providerSessionId, conversation);
    }
    live.set(spec.sessionId, (live.get(spec.sessionId) ?? 0) + 1);
    const run = createFakeRun({ spec, interactivity, script, providerSessionId, resumed, conversation });
    void run.wait().then(() => {
      const count = (live.get(spec.sessionId) ?? 1) - 1;
      if (count > 0) live.set(spec.sessionId, count);
      else live.delete(spec.sessionId);
    });
    return run;
  };

  return {
    name: options.name ?? 'fake',
    interactivity,
    async start(spec) {
      return launch(spec, `fake-${randomUUID()}`, false);
    },
    async resume(spec) {
      if (!spec.providerSessionId) {
        throw new OrchaError('invalid_argument', 'resume needs the providerSessionId of a started run');
      }
      return launch(spec, spec.providerSessionId, true);
    },
    isRunning: (sessionId) => live.has(sessionId),
    conversation: (providerSessionId) => [...(conversations.get(providerSessionId) ?? [])],
  };
}
