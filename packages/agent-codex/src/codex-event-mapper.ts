import type { AgentEvent, AgentExit } from '@orcha/agent';
import { classifyCodexError } from './codex-errors.js';
import type { CodexItem, CodexLine } from './codex-line.js';

export interface CodexEventMapperOptions {
  /** The model asked for, reported in `started` (Codex's JSON does not name it). */
  model: string | null;
  /** Prefixed to Codex's per-process item ids (`item_0`…) so tool-call ids stay unique across resumes. */
  idPrefix: string;
  /** The clock used to read reset times (ms since the epoch). */
  now: () => number;
}

/** How the process ended, as the runner saw it. */
export interface CodexProcessEnd {
  code: number | null;
  signal: string | null;
  /** We killed it on purpose. */
  canceled: boolean;
  /** The last lines of stderr: the only explanation for failures Codex reports there alone. */
  stderrTail: string;
}

/**
 * Turns Codex's JSONL lines into orcha's agent events, one run at a time. Feed every parsed line to
 * `map`, then the process's end to `finish`, which returns the last events (always exactly one `exited`).
 */
export class CodexEventMapper {
  private started = false;
  private finished = false;
  private turnCompleted = false;
  private errorReported = false;
  /** A bare `error` line may be a reconnect notice; it only counts if the turn then fails. */
  private lastErrorMessage: string | null = null;
  private lastAnswer: string | null = null;
  private readonly openTools = new Set<string>();
  private modelCalls = 0;
  /**
   * A tool result went back to the model: the next thing it produces comes from a new model call.
   * Codex does not say which tool calls shared one response, so `modelCalls` is an upper bound, which
   * is the safe side for a model-call cap.
   */
  private awaitingModel = false;

  constructor(private readonly options: CodexEventMapperOptions) {}

  map(line: CodexLine): AgentEvent[] {
    if (this.finished) return [];
    switch (line.type) {
      case 'thread.started':
        if (this.started) return [];
        this.started = true;
        return [{ type: 'started', providerSessionId: line.threadId, model: this.options.model }];
      case 'turn.started':
        this.modelCalls += 1;
        this.awaitingModel = false;
        return [];
      case 'item':
        return this.mapItem(line.phase, line.item);
      case 'turn.completed': {
        this.turnCompleted = true;
        this.countModelCall();
        const usage = line.usage;
        return [
          {
            type: 'usage',
            usage: {
              inputTokens: usage.inputTokens,
              outputTokens: usage.outputTokens,
              costUsd: 0,
              modelCalls: this.modelCalls,
              cumulative: true,
            },
          },
          { type: 'turn-complete', result: this.lastAnswer, isError: false },
        ];
      }
      case 'turn.failed': {
        const message = line.message || this.lastErrorMessage || 'the Codex turn failed';
        return [this.error(message), { type: 'turn-complete', result: null, isError: true }];
      }
      case 'error':
        this.lastErrorMessage = line.message;
        return [];
      case 'other':
        return [];
      default: {
        const unknown: never = line;
        return unknown;
      }
    }
  }

  finish(end: CodexProcessEnd): AgentEvent[] {
    if (this.finished) return [];
    this.finished = true;
    const events: AgentEvent[] = [];
    let exit: AgentExit;
    if (end.canceled) {
      exit = { type: 'exited', code: end.code, reason: 'canceled' };
    } else if (end.code === 0 && this.turnCompleted) {
      exit = { type: 'exited', code: 0, reason: 'completed' };
    } else if (end.signal !== null || end.code === null) {
      if (!this.errorReported) {
        events.push({
          type: 'error',
          kind: 'crashed',
          message: `codex was killed by ${end.signal ?? 'a signal'}${tail(end.stderrTail)}`,
          resetsAt: null,
        });
      }
      exit = { type: 'exited', code: end.code, reason: 'crashed' };
    } else {
      if (!this.errorReported) {
        const message =
          this.lastErrorMessage ??
          (end.code === 0
            ? `codex exited without finishing the turn${tail(end.stderrTail)}`
            : `codex exited with code ${end.code}${tail(end.stderrTail)}`);
        events.push(this.error(message));
      }
      exit = { type: 'exited', code: end.code, reason: 'failed' };
    }
    events.push(exit);
    return events;
  }

  private error(message: string): AgentEvent {
    this.errorReported = true;
    const { kind, resetsAt } = classifyCodexError(message, this.options.now());
    return { type: 'error', kind, message, resetsAt };
  }

  private countModelCall(): void {
    if (!this.awaitingModel) return;
    this.awaitingModel = false;
    this.modelCalls += 1;
  }

  private mapItem(phase: 'started' | 'updated' | 'completed', item: CodexItem): AgentEvent[] {
    const id = `${this.options.idPrefix}${item.id}`;
    const call = toolCallOf(item);
    if (call) {
      this.countModelCall();
      const events: AgentEvent[] = [];
      if (!this.openTools.has(id) && phase !== 'updated') {
        this.openTools.add(id);
        events.push({ type: 'tool-call', id, name: call.name, input: call.input });
      }
      const result = phase === 'completed' ? toolResultOf(item) : null;
      if (result) {
        this.openTools.delete(id);
        this.awaitingModel = true;
        events.push({ type: 'tool-result', id, ...result });
      }
      return events;
    }
    if (phase !== 'completed') return [];
    if (item.kind === 'agent_message') {
      this.countModelCall();
      this.lastAnswer = item.text;
      return item.text ? [{ type: 'text', text: item.text }] : [];
    }
    if (item.kind === 'reasoning') this.countModelCall();
    // Reasoning has no event of its own; `error` items are warnings (e.g. unknown model metadata).
    return [];
  }
}

function toolCallOf(item: CodexItem): { name: string; input: unknown } | null {
  switch (item.kind) {
    case 'command_execution':
      return { name: 'shell', input: { command: item.command } };
    case 'mcp_tool_call':
      // Named as Claude names MCP tools, so guards and the dashboard see one name across providers.
      return { name: `mcp__${item.server}__${item.tool}`, input: item.arguments };
    case 'file_change':
      return { name: 'apply_patch', input: { changes: item.changes } };
    case 'web_search':
      return { name: 'web_search', input: { query: item.query } };
    default:
      return null;
  }
}

function toolResultOf(item: CodexItem): { output: string; isError: boolean } | null {
  switch (item.kind) {
    case 'command_execution':
      return { output: item.output, isError: item.status === 'failed' || (item.exitCode ?? 0) !== 0 };
    case 'mcp_tool_call': {
      if (item.error) return { output: item.error, isError: true };
      const content = item.result?.content ?? [];
      const texts = content.flatMap((part) =>
        typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string'
          ? [part.text]
          : [],
      );
      const output = texts.length
        ? texts.join('\n')
        : JSON.stringify(item.result?.structuredContent ?? content);
      return { output, isError: item.status === 'failed' };
    }
    case 'file_change':
      return {
        output: item.changes.map((change) => `${change.kind} ${change.path}`).join('\n'),
        isError: item.status === 'failed',
      };
    case 'web_search':
      return { output: '', isError: false };
    default:
      return null;
  }
}

function tail(stderr: string): string {
  const trimmed = stderr.trim();
  return trimmed ? `: ${trimmed}` : '';
}
