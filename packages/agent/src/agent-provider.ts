import type { Executor } from '@orcha/exec';
import type { DoctorCheck } from '@orcha/model';

/**
 * The AgentProvider port: one kind of agent (fake, claude, codex, a TUI in tmux). `start` launches a run
 * through the given Executor — so the same provider works on local and SSH targets — and returns an
 * `AgentRun` whose `events` describe everything the agent does, in order.
 */
export interface AgentProvider {
  /** The agent name sessions use (`claude`, `codex`, `tmux`, `fake`…). */
  readonly name: string;
  /**
   * `interactive`: `send` reaches the live process (steering without restart).
   * `noninteractive`: each turn is a process; steering cancels and resumes the conversation.
   */
  readonly interactivity: 'interactive' | 'noninteractive';
  start(spec: AgentSpec): Promise<AgentRun>;
  /**
   * Continues an earlier conversation (`providerSessionId` from its `started` event) with a new prompt.
   * Providers that cannot resume throw `OrchaError('capability_unsupported')`.
   */
  resume(spec: AgentSpec & { providerSessionId: string }): Promise<AgentRun>;
  /**
   * Re-attaches to a run that outlived orcha (a tmux session still alive after a restart). Resolves
   * `null` when there is nothing to attach to. Optional: only providers whose runs survive us have it.
   */
  reattach?(spec: AgentSpec & { attachName: string }): Promise<AgentRun | null>;
  /**
   * The doctor's check of this agent on a target, run with the environment sessions get there (ACP agents:
   * the binary starts and answers `initialize`, with what it advertises). Optional: without it the doctor
   * looks for the CLI itself.
   */
  check?(executor: Executor, env: Record<string, string>): Promise<DoctorCheck>;
}

export interface AgentSpec {
  /** orcha's session id; used to name processes (`orcha-<sessionId>`). */
  sessionId: string;
  prompt: string;
  cwd: string;
  executor: Executor;
  env?: Record<string, string> | undefined;
  model?: string | undefined;
  systemPrompt?: string | undefined;
  /** The session's MCP endpoint (Streamable HTTP) and its bearer token. */
  mcp?: { url: string; token: string } | undefined;
  /**
   * `cwd` is a workspace orcha prepared for this session (a checkout, scratch or PR-branch directory):
   * an agent that asks whether to trust its directory may be told yes. Otherwise a person decides.
   */
  trustedWorkspace?: boolean | undefined;
  /**
   * Puts an agent's request to act to a person ("gemini wants to run `rm -rf build`") and resolves with
   * their answer; the agent waits meanwhile. `signal` aborts when the run is canceled; a rejection counts
   * as a refusal. Optional: providers that ask (ACP agents under the `ask` policy) refuse without it.
   */
  askPermission?: ((request: PermissionQuestion, signal: AbortSignal) => Promise<boolean>) | undefined;
}

/** What an agent asks leave to do: its tool call's id, a title for people, and the call's input. */
export interface PermissionQuestion {
  id: string;
  title: string;
  input: unknown;
}

export interface AgentRun {
  /** The typed events of this run, ending after `exited`. Read it once. */
  readonly events: AsyncIterable<AgentEvent>;
  /** Interactive runs: a user message to the live process. Noninteractive runs throw `capability_unsupported`. */
  send(text: string): Promise<void>;
  /** Stops the run and everything it started; `wait` then resolves with reason `canceled`. */
  cancel(): Promise<void>;
  /**
   * Stops following the run and leaves its program running, to be re-attached by `attachName` at the next
   * start (tmux runs only: orcha stopping). The events end with an `exited` event of reason `canceled`.
   */
  detach?(): void;
  /** Resolves with the final `exited` event, never rejects, never hangs after the process is gone. */
  wait(): Promise<AgentExit>;
  /** A picture of the terminal right now (tmux runs only). */
  snapshot?(): Promise<string>;
  /** What a person runs to watch or take over (tmux runs only). */
  readonly attachCommand?: string | undefined;
  /** The name to re-attach by after a restart (tmux runs only). */
  readonly attachName?: string | undefined;
}

export type AgentErrorKind = 'usage_exhausted' | 'rate_limited' | 'auth' | 'crashed' | 'other';

export type AgentExitReason = 'completed' | 'failed' | 'canceled' | 'crashed';

export interface AgentExit {
  type: 'exited';
  code: number | null;
  reason: AgentExitReason;
}

export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  modelCalls: number;
  /** Totals since the run (or resumed conversation) began, not deltas. */
  cumulative: true;
}

/** Everything an agent run reports. Consumers narrow on `type`; new members are added, never repurposed. */
export type AgentEvent =
  /** The run is live; `providerSessionId` is what `resume` takes (Claude session id, Codex thread id). */
  | { type: 'started'; providerSessionId: string | null; model: string | null }
  | { type: 'text'; text: string }
  /** Raw terminal output (tmux runs): `text` has ANSI stripped; `raw` keeps it for the terminal view. */
  | { type: 'output'; text: string; raw: string }
  | { type: 'tool-call'; id: string; name: string; input: unknown }
  | { type: 'tool-result'; id: string; output: string; isError: boolean }
  | { type: 'usage'; usage: AgentUsage }
  /** `resetsAt` (ms since epoch) is set for usage_exhausted and, when known, rate_limited. */
  | { type: 'error'; kind: AgentErrorKind; message: string; resetsAt: number | null }
  /**
   * The agent's screen asks something orcha must not answer for the person (an unknown dialog, a command
   * approval). `screen` is what it shows; the person attaches to the run to answer it.
   */
  | { type: 'attention'; message: string; screen: string }
  /** The agent finished a turn and waits (interactive) or is about to exit (noninteractive). */
  | { type: 'turn-complete'; result: string | null; isError: boolean }
  | AgentExit;
