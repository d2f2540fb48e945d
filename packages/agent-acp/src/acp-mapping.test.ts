import { describe, expect, it } from 'vitest';
import { firstPrompt } from './acp-provider.js';
import { errorKind } from './acp-run.js';
import { pickOption } from './permission.js';
import { AcpUpdateMapper } from './update-mapper.js';

describe('ACP updates as orcha events', () => {
  it("keeps text that is not the model's answer out of the turn (acp.md §7.6)", () => {
    const mapper = new AcpUpdateMapper();
    mapper.beginTurn();
    const chunk = (text: string, _meta?: Record<string, unknown>) =>
      mapper.map({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text }, _meta });
    expect(chunk('[MODE_UPDATE] yolo')).toEqual([]);
    expect(
      chunk('requests go through 127.0.0.1', { claudeCode: { kind: 'informational', level: 'warning' } }),
    ).toEqual([]);
    expect(chunk('hello ')).toEqual([{ type: 'text', text: 'hello ' }]);
    expect(chunk('world')).toEqual([{ type: 'text', text: 'world' }]);
    expect(mapper.turnResult).toBe('hello world');
  });

  it('treats an update for an unknown tool call as its start, and reports its end once (acp.md §7.7)', () => {
    const mapper = new AcpUpdateMapper();
    const update = (status: 'completed' | 'in_progress') =>
      mapper.map({
        sessionUpdate: 'tool_call_update',
        toolCallId: 'mcp_orcha_echo_1',
        title: 'echo (orcha MCP Server)',
        status,
        content: [{ type: 'content', content: { type: 'text', text: 'echo: ping' } }],
      });
    expect(update('in_progress')).toEqual([
      { type: 'tool-call', id: 'mcp_orcha_echo_1', name: 'echo (orcha MCP Server)', input: 'echo: ping' },
    ]);
    expect(update('completed')).toEqual([
      { type: 'tool-result', id: 'mcp_orcha_echo_1', output: 'echo: ping', isError: false },
    ]);
    expect(update('completed')).toEqual([]);
    const claude = mapper.map({
      sessionUpdate: 'tool_call',
      toolCallId: 'toolu_1',
      title: 'Read',
      status: 'failed',
      rawInput: { path: 'x' },
      rawOutput: [{ type: 'text', text: 'no such file' }],
      _meta: { claudeCode: { toolName: 'Read' } },
    });
    expect(claude).toEqual([
      { type: 'tool-call', id: 'toolu_1', name: 'Read', input: { path: 'x' } },
      { type: 'tool-result', id: 'toolu_1', output: 'no such file', isError: true },
    ]);
  });

  it("sums each turn's tokens (Gemini's _meta.quota, Claude's usage) and keeps Claude's cost", () => {
    const mapper = new AcpUpdateMapper();
    mapper.map({
      sessionUpdate: 'usage_update',
      used: 15,
      size: 1_000_000,
      cost: { amount: 0.25, currency: 'USD' },
    });
    expect(
      mapper.turnUsage({
        stopReason: 'end_turn',
        _meta: { quota: { token_count: { input_tokens: 12, output_tokens: 3 } } },
      }),
    ).toEqual({
      type: 'usage',
      usage: { inputTokens: 12, outputTokens: 3, costUsd: 0.25, modelCalls: 1, cumulative: true },
    });
    const claudeResult = { stopReason: 'end_turn', usage: { inputTokens: 10, outputTokens: 2 } } as never;
    expect(mapper.turnUsage(claudeResult)).toMatchObject({
      usage: { inputTokens: 22, outputTokens: 5, modelCalls: 2 },
    });
  });

  it('answers permission requests with the once-only option of the wanted kind', () => {
    const options = [
      { optionId: 'always', name: 'Always', kind: 'allow_always' as const },
      { optionId: 'once', name: 'Allow', kind: 'allow_once' as const },
      { optionId: 'reject', name: 'Reject', kind: 'reject_once' as const },
    ];
    expect(pickOption(options, true)).toEqual({ outcome: { outcome: 'selected', optionId: 'once' } });
    expect(pickOption(options, false)).toEqual({ outcome: { outcome: 'selected', optionId: 'reject' } });
    expect(pickOption(options.slice(0, 2), false)).toEqual({ outcome: { outcome: 'cancelled' } });
  });

  it("classifies a failed turn's error so usage limits reach orcha's failover", () => {
    expect(errorKind('You have exhausted your daily quota')).toBe('usage_exhausted');
    expect(errorKind('429 Too Many Requests')).toBe('rate_limited');
    expect(errorKind('API key not valid. Please pass a valid API key.')).toBe('auth');
    expect(errorKind('Internal error')).toBe('other');
  });

  it("puts orcha's system prompt before a conversation's first prompt only", () => {
    const spec = {
      sessionId: 'ses_x',
      prompt: 'say hi',
      cwd: '/',
      executor: {} as never,
      systemPrompt: 'you are a worker',
    };
    expect(firstPrompt(spec, null)).toBe('you are a worker\n\nsay hi');
    expect(firstPrompt(spec, 'acp-session-1')).toBe('say hi');
    expect(firstPrompt({ ...spec, systemPrompt: undefined }, null)).toBe('say hi');
  });
});
