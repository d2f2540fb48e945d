import type { AgentErrorKind, AgentEvent } from '@orcha/agent';
import type { AssistantMessage, ContentBlock, ResultMessage, StreamMessage } from './stream-json.js';

/** Error categories (`assistant.error`) after which no later turn can succeed: the run should end. */
const authCategories = new Set([
  'authentication_failed',
  'oauth_org_not_allowed',
  'account_on_hold',
  'verification_required',
  'cloud_credential_error',
]);

/**
 * Texts of a spent subscription or credit balance, current and legacy (agent-protocols §1.9). Not a bare
 * "usage limit": a plain rate limit says "(not your usage limit)".
 */
const usageLimitText =
  /hit your .*limit|usage limit reached|out of usage credits|spend limit|credit balance is too low/i;
/** Claude Code 1.0.x: `Claude AI usage limit reached|<epoch seconds>`. */
const legacyResetEpoch = /\|(\d{10})\s*$/;

/** What the run should do after a message, besides emitting its events. */
export interface Mapped {
  events: AgentEvent[];
  /** The turn failed in a way no later turn can fix (bad credentials): end the process. */
  fatal: boolean;
}

/**
 * Turns stream-json messages into AgentEvents, one message at a time, in order. Holds what a turn's
 * closing `result` needs from earlier lines: the API error category and a rejected rate limit's reset.
 */
export class ClaudeEventMapper {
  private started = false;
  private sessionId: string | null = null;
  /** Totals of the process as of the last `result` (claude's own figures). */
  private modelCalls = 0;
  private tokens = { input: 0, output: 0 };
  private costUsd = 0;
  /**
   * The model calls of the turn in progress, by message id, with the usage their lines carried: counted as
   * they come, so a budget can stop the run mid-turn, before its next call. Output tokens are what a
   * message's line knew (its start); the closing `result` brings the final figures, and the cost.
   */
  private turnCalls = new Map<string, { input: number; output: number }>();
  private turnError: { category: string | null; status: number | null; text: string } | null = null;
  private rejectedUntil: number | null = null;

  /** The conversation id from the newest `init`/`result` (what `--resume` takes). */
  get providerSessionId(): string | null {
    return this.sessionId;
  }

  map(message: StreamMessage): Mapped {
    switch (message.type) {
      case 'system':
        this.sessionId = message.session_id;
        // `init` opens every turn; the run started once.
        if (this.started) return none();
        this.started = true;
        return emit({ type: 'started', providerSessionId: message.session_id, model: message.model ?? null });
      case 'assistant': {
        const events = this.assistant(message.message.content, message);
        if (!message.error && this.countCall(message.message)) events.push(this.usage());
        return emit(...events);
      }
      case 'user':
        return emit(...toolResults(message.message.content));
      case 'rate_limit_event':
        if (message.rate_limit_info.status === 'rejected' && message.rate_limit_info.resetsAt) {
          this.rejectedUntil = message.rate_limit_info.resetsAt * 1000;
        }
        return none();
      case 'result':
        return this.result(message);
      case 'control_response':
        return none();
      default: {
        const unknown: never = message;
        return unknown;
      }
    }
  }

  private assistant(
    content: ContentBlock[],
    meta: { error?: string | null | undefined; api_error_status?: number | null | undefined },
  ): AgentEvent[] {
    if (meta.error) {
      // The synthetic message of an API failure: reported once, as the turn's error, when it ends.
      const text = content.map((block) => (typeof block.text === 'string' ? block.text : '')).join('');
      this.turnError = { category: meta.error, status: meta.api_error_status ?? null, text };
      return [];
    }
    const events: AgentEvent[] = [];
    for (const block of content) {
      if (block.type === 'text' && typeof block.text === 'string' && block.text) {
        events.push({ type: 'text', text: block.text });
      } else if (
        block.type === 'tool_use' &&
        typeof block.id === 'string' &&
        typeof block.name === 'string'
      ) {
        events.push({ type: 'tool-call', id: block.id, name: block.name, input: block.input ?? {} });
      }
    }
    return events;
  }

  /** Records an assistant line's model call; whether the turn's usage changed. */
  private countCall(message: AssistantMessage['message']): boolean {
    if (!message.id || !message.usage) return false;
    const usage = message.usage;
    const call = {
      input:
        usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0),
      output: usage.output_tokens,
    };
    const known = this.turnCalls.get(message.id);
    if (known && known.input === call.input && known.output === call.output) return false;
    this.turnCalls.set(message.id, call);
    return true;
  }

  /** The process's totals: the last result's plus the calls of the turn in progress. */
  private usage(): AgentEvent {
    const calls = [...this.turnCalls.values()];
    return {
      type: 'usage',
      usage: {
        inputTokens: this.tokens.input + sum(calls.map((call) => call.input)),
        outputTokens: this.tokens.output + sum(calls.map((call) => call.output)),
        costUsd: this.costUsd,
        modelCalls: this.modelCalls + calls.length,
        cumulative: true,
      },
    };
  }

  private result(message: ResultMessage): Mapped {
    if (message.session_id) this.sessionId = message.session_id;
    const seen = this.usage();
    const counted = seen.type === 'usage' ? seen.usage : null;
    // Never less than was counted mid-turn: totals only grow.
    this.modelCalls += Math.max(message.num_turns, this.turnCalls.size);
    const models = Object.values(message.modelUsage ?? {});
    // modelUsage is cumulative for the process; error turns report it empty, so keep what we counted.
    this.tokens = models.length
      ? {
          input: Math.max(
            counted?.inputTokens ?? 0,
            sum(models.map((m) => m.inputTokens + m.cacheReadInputTokens + m.cacheCreationInputTokens)),
          ),
          output: Math.max(counted?.outputTokens ?? 0, sum(models.map((m) => m.outputTokens))),
        }
      : {
          input: counted?.inputTokens ?? this.tokens.input,
          output: counted?.outputTokens ?? this.tokens.output,
        };
    this.costUsd = Math.max(this.costUsd, message.total_cost_usd);
    this.turnCalls.clear();
    const events: AgentEvent[] = [this.usage()];
    let fatal = false;
    const text = message.result ?? (message.errors?.length ? message.errors.join('; ') : null);
    if (message.is_error) {
      const failure = this.classify(message, text);
      fatal = failure.kind === 'auth';
      events.push({ type: 'error', ...failure });
    }
    events.push({ type: 'turn-complete', result: text, isError: message.is_error });
    this.turnError = null;
    this.rejectedUntil = null;
    return { events, fatal };
  }

  private classify(
    message: ResultMessage,
    text: string | null,
  ): { kind: AgentErrorKind; message: string; resetsAt: number | null } {
    const category = this.turnError?.category ?? null;
    const status = message.api_error_status ?? this.turnError?.status ?? null;
    const said = text ?? this.turnError?.text ?? `claude turn failed (${message.subtype})`;
    if (this.rejectedUntil !== null) {
      return { kind: 'usage_exhausted', message: said, resetsAt: this.rejectedUntil };
    }
    if (usageLimitText.test(said) || category === 'billing_error') {
      const legacy = legacyResetEpoch.exec(said)?.[1];
      return { kind: 'usage_exhausted', message: said, resetsAt: legacy ? Number(legacy) * 1000 : null };
    }
    if ((category && authCategories.has(category)) || status === 401 || status === 403) {
      return { kind: 'auth', message: said, resetsAt: null };
    }
    if (category === 'rate_limit' || status === 429)
      return { kind: 'rate_limited', message: said, resetsAt: null };
    return { kind: 'other', message: said, resetsAt: null };
  }
}

/** A user line's tool results (other user content — replays, interrupt notes — is not news). */
function toolResults(content: string | ContentBlock[]): AgentEvent[] {
  if (typeof content === 'string') return [];
  return content.flatMap((block): AgentEvent[] =>
    block.type === 'tool_result' && typeof block.tool_use_id === 'string'
      ? [
          {
            type: 'tool-result',
            id: block.tool_use_id,
            output: outputText(block.content),
            isError: block.is_error === true,
          },
        ]
      : [],
  );
}

/** Tool output as text: a string, or the text of its blocks (MCP results arrive as block arrays). */
function outputText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((block: unknown) => {
      const item = block as { type?: unknown; text?: unknown; tool_name?: unknown };
      if (item.type === 'text' && typeof item.text === 'string') return item.text;
      if (item.type === 'tool_reference' && typeof item.tool_name === 'string')
        return `loaded tool ${item.tool_name}`;
      return JSON.stringify(block);
    })
    .join('\n');
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const none = (): Mapped => ({ events: [], fatal: false });
const emit = (...events: AgentEvent[]): Mapped => ({ events, fatal: false });
