import type * as acp from '@agentclientprotocol/sdk';
import type { AgentEvent, AgentUsage } from '@orcha/agent';

/**
 * Turns an ACP session's `session/update` notifications and prompt results into orcha's typed events,
 * keeping per-run state: which tool calls were seen, what the current turn said, cumulative usage.
 */
export class AcpUpdateMapper {
  private readonly tools = new Map<string, { finished: boolean }>();
  private turnText = '';
  private readonly usage: AgentUsage = {
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    modelCalls: 0,
    cumulative: true,
  };

  /** Starts a turn: its text is what `turn-complete` reports. */
  beginTurn(): void {
    this.turnText = '';
  }

  /** The text the agent said in this turn so far (null when nothing). */
  get turnResult(): string | null {
    return this.turnText || null;
  }

  map(update: acp.SessionUpdate): AgentEvent[] {
    switch (update.sessionUpdate) {
      case 'agent_message_chunk': {
        if (update.content.type !== 'text' || isNotAnswer(update.content.text, update._meta)) return [];
        this.turnText += update.content.text;
        return [{ type: 'text', text: update.content.text }];
      }
      case 'tool_call':
        return this.tool(update);
      case 'tool_call_update':
        return this.tool(update);
      case 'usage_update': {
        // Claude: context window use and the session's cost so far.
        if (update.cost && update.cost.currency === 'USD') this.usage.costUsd = update.cost.amount;
        return [];
      }
      default:
        return [];
    }
  }

  /**
   * A tool call or an update of one. An update for an id never announced is a new call: Gemini's first
   * sight of a call that needs permission is inside `session/request_permission` (acp.md §7.7).
   */
  tool(update: acp.ToolCallUpdate): AgentEvent[] {
    const events: AgentEvent[] = [];
    let known = this.tools.get(update.toolCallId);
    if (!known) {
      known = { finished: false };
      this.tools.set(update.toolCallId, known);
      events.push({
        type: 'tool-call',
        id: update.toolCallId,
        name: toolName(update),
        input: update.rawInput ?? contentText(update.content) ?? null,
      });
    }
    if (!known.finished && (update.status === 'completed' || update.status === 'failed')) {
      known.finished = true;
      events.push({
        type: 'tool-result',
        id: update.toolCallId,
        output: contentText(update.content) ?? rawText(update.rawOutput),
        isError: update.status === 'failed',
      });
    }
    return events;
  }

  /**
   * The usage a prompt result reports: `usage` (Claude; unstable schema) or `_meta.quota.token_count`
   * (Gemini). ACP does not count model calls, so `modelCalls` counts turns. Null when the result has none.
   */
  turnUsage(response: acp.PromptResponse): AgentEvent | null {
    const tokens = reportedTokens(response);
    this.usage.modelCalls += 1;
    if (!tokens && this.usage.costUsd === 0) return null;
    this.usage.inputTokens += tokens?.input ?? 0;
    this.usage.outputTokens += tokens?.output ?? 0;
    return { type: 'usage', usage: { ...this.usage } };
  }
}

/** Text an agent sends as a message chunk that is not the model's answer (acp.md §7.6). */
function isNotAnswer(text: string, meta: Record<string, unknown> | null | undefined): boolean {
  const claude = (meta?.claudeCode ?? null) as { kind?: unknown } | null;
  return claude?.kind === 'informational' || /^\[MODE_UPDATE\]/.test(text);
}

function toolName(update: acp.ToolCallUpdate): string {
  const claude = (update._meta?.claudeCode ?? null) as { toolName?: unknown } | null;
  if (typeof claude?.toolName === 'string') return claude.toolName;
  return update.name ?? update.title ?? update.kind ?? 'tool';
}

function contentText(content: acp.ToolCallContent[] | null | undefined): string | null {
  if (!content?.length) return null;
  const texts = content.flatMap((item) =>
    item.type === 'content' && item.content.type === 'text' ? [item.content.text] : [],
  );
  return texts.length ? texts.join('\n') : null;
}

function rawText(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) {
    const texts = raw.flatMap((item: { text?: unknown }) =>
      typeof item?.text === 'string' ? [item.text] : [],
    );
    if (texts.length) return texts.join('\n');
  }
  return JSON.stringify(raw);
}

function reportedTokens(response: acp.PromptResponse): { input: number; output: number } | null {
  const usage = (response as { usage?: { inputTokens?: unknown; outputTokens?: unknown } }).usage;
  if (usage && typeof usage.inputTokens === 'number' && typeof usage.outputTokens === 'number') {
    return { input: usage.inputTokens, output: usage.outputTokens };
  }
  const quota = (response._meta?.quota ?? null) as {
    token_count?: { input_tokens?: unknown; output_tokens?: unknown };
  } | null;
  const count = quota?.token_count;
  if (count && typeof count.input_tokens === 'number' && typeof count.output_tokens === 'number') {
    return { input: count.input_tokens, output: count.output_tokens };
  }
  return null;
}
