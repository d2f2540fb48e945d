import { readFileSync } from 'node:fs';
import type { AgentEvent } from '@orcha/agent';
import { describe, expect, it } from 'vitest';
import { ClaudeEventMapper } from './event-mapper.js';
import { parseStreamLine, type StreamMessage } from './stream-json.js';

/** Stdout of the real claude 2.1.331 against the fake model server, one file per scenario. */
const fixture = (name: string) =>
  readFileSync(new URL(`./__fixtures__/${name}.jsonl`, import.meta.url), 'utf8').split('\n');

function mapLines(lines: string[]): { events: AgentEvent[]; fatal: boolean; mapper: ClaudeEventMapper } {
  const mapper = new ClaudeEventMapper();
  const events: AgentEvent[] = [];
  let fatal = false;
  for (const line of lines) {
    const parsed = parseStreamLine(line);
    expect(parsed.kind, line).not.toBe('invalid');
    if (parsed.kind !== 'message') continue;
    const mapped = mapper.map(parsed.message);
    events.push(...mapped.events);
    fatal ||= mapped.fatal;
  }
  return { events, fatal, mapper };
}

const types = (events: AgentEvent[]) => events.map((event) => event.type);

describe('stream-json parsing', () => {
  it('skips blank lines and message types it does not use, and flags broken lines', () => {
    expect(parseStreamLine('')).toEqual({ kind: 'skipped', type: '' });
    expect(parseStreamLine('{"type":"keep_alive"}')).toEqual({ kind: 'skipped', type: 'keep_alive' });
    expect(parseStreamLine('{"type":"system","subtype":"api_retry","attempt":1}')).toEqual({
      kind: 'skipped',
      type: 'system',
    });
    expect(parseStreamLine('{"type":"result"')).toMatchObject({ kind: 'invalid', reason: 'not JSON' });
    expect(parseStreamLine('[1,2]')).toMatchObject({ kind: 'invalid', reason: 'no type' });
    expect(parseStreamLine('{"type":"result","subtype":"success"}')).toMatchObject({ kind: 'invalid' });
  });

  it('keeps fields it does not know out of the way', () => {
    const parsed = parseStreamLine(
      '{"type":"system","subtype":"init","session_id":"s1","model":"m","brand_new_field":{"x":1}}',
    );
    expect(parsed).toEqual({
      kind: 'message',
      message: { type: 'system', subtype: 'init', session_id: 's1', model: 'm' } satisfies StreamMessage,
    });
  });
});

describe('stream-json → AgentEvents', () => {
  it('maps a two-turn conversation: one started, text, cumulative usage, turn-complete per turn', () => {
    const { events, mapper } = mapLines(fixture('multi-turn'));
    // Each turn: its model call counted as its message arrives, then the turn's own figures at its end.
    expect(types(events)).toEqual([
      'started',
      'text',
      'usage',
      'usage',
      'turn-complete',
      'text',
      'usage',
      'usage',
      'turn-complete',
    ]);
    expect(events[0]).toEqual({
      type: 'started',
      providerSessionId: '6432571b-4575-4ce2-8c2f-474e4b3b9880',
      model: 'claude-opus-5-5',
    });
    expect(events[1]).toEqual({ type: 'text', text: 'apple' });
    expect(events[2]).toMatchObject({ type: 'usage', usage: { modelCalls: 1, inputTokens: 100 } });
    expect(events[4]).toEqual({ type: 'turn-complete', result: 'apple', isError: false });
    expect(events[7]).toEqual({
      type: 'usage',
      usage: {
        inputTokens: 200,
        outputTokens: 3,
        costUsd: expect.closeTo(0.00086, 8),
        modelCalls: 2,
        cumulative: true,
      },
    });
    expect(events[8]).toEqual({ type: 'turn-complete', result: 'pear', isError: false });
    expect(mapper.providerSessionId).toBe('6432571b-4575-4ce2-8c2f-474e4b3b9880');
  });

  it('maps a built-in tool call and its result', () => {
    const { events } = mapLines(fixture('tool-use'));
    expect(types(events)).toEqual([
      'started',
      'tool-call',
      'usage',
      'tool-result',
      'text',
      'usage',
      'usage',
      'turn-complete',
    ]);
    expect(events[1]).toEqual({
      type: 'tool-call',
      id: 'toolu_fake1_0',
      name: 'Bash',
      input: { command: 'echo hi-from-bash', description: 'greet' },
    });
    expect(events[3]).toEqual({
      type: 'tool-result',
      id: 'toolu_fake1_0',
      output: 'hi-from-bash',
      isError: false,
    });
  });

  it('counts each model call as its message arrives, mid-turn, and never lowers a total at the turn end', () => {
    const { events } = mapLines(fixture('tool-use'));
    const usage = events.flatMap((event) => (event.type === 'usage' ? [event.usage] : []));
    // The tool call's message is counted before the tool runs: a budget can stop the run before call 2.
    expect(usage.map((u) => [u.modelCalls, u.inputTokens, u.outputTokens, u.costUsd])).toEqual([
      [1, 100, 1, 0],
      [2, 200, 2, 0],
      [2, 200, 21, expect.closeTo(0.00122, 8)],
    ]);
    // One call's blocks come as several lines with one id: counted once; a line with the same usage is no news.
    const mapper = new ClaudeEventMapper();
    const line = (id: string, text: string, output: number) =>
      mapper.map({
        type: 'assistant',
        message: {
          id,
          content: [{ type: 'text', text }],
          usage: { input_tokens: 50, output_tokens: output, cache_read_input_tokens: 10 },
        },
      }).events;
    expect(line('m1', 'a', 1).filter((event) => event.type === 'usage')).toHaveLength(1);
    expect(line('m1', 'b', 1).filter((event) => event.type === 'usage')).toHaveLength(0);
    expect(line('m1', 'c', 7).at(-1)).toMatchObject({
      usage: { modelCalls: 1, inputTokens: 60, outputTokens: 7 },
    });
    expect(line('m2', 'd', 1).at(-1)).toMatchObject({
      usage: { modelCalls: 2, inputTokens: 120, outputTokens: 8 },
    });
    // An error turn's result reports no models and fewer turns than were seen: the totals stay.
    const closing = mapper.map({
      type: 'result',
      subtype: 'error_during_execution',
      is_error: true,
      num_turns: 1,
      total_cost_usd: 0,
    }).events[0];
    expect(closing).toMatchObject({ usage: { modelCalls: 2, inputTokens: 120, outputTokens: 8 } });
  });

  it('maps an MCP tool found through ToolSearch, with block-array results as text', () => {
    const { events } = mapLines(fixture('mcp-tool'));
    const calls = events.filter((event) => event.type === 'tool-call');
    const results = events.filter((event) => event.type === 'tool-result');
    expect(calls.map((call) => call.name)).toEqual(['ToolSearch', 'mcp__orcha__echo']);
    expect(results.map((result) => result.output)).toEqual(['loaded tool mcp__orcha__echo', 'echo: ping']);
  });

  it('reports an interrupted turn as a failed turn (the run hides it while canceling)', () => {
    const { events } = mapLines(fixture('interrupt'));
    const completes = events.filter((event) => event.type === 'turn-complete');
    expect(completes[0]).toMatchObject({ isError: true });
    expect(completes[1]).toMatchObject({ isError: false });
  });

  it('reads a subscription usage limit as usage_exhausted with the reset time from rate_limit_event', () => {
    const { events, fatal } = mapLines(fixture('usage-limit-subscription'));
    expect(types(events)).toEqual(['started', 'usage', 'error', 'turn-complete']);
    expect(events[2]).toEqual({
      type: 'error',
      kind: 'usage_exhausted',
      message: "You've hit your 5-hour limit · resets 11:56am (UTC)",
      resetsAt: 1795607780000,
    });
    expect(events[3]).toMatchObject({ type: 'turn-complete', isError: true });
    expect(fatal).toBe(false);
  });

  it('reads usage-limit texts without an event as usage_exhausted, legacy epochs included', () => {
    // Claude Code 1.0.x wrote the reset as `|<epoch seconds>` (agent-protocols §1.9); hand-written sample.
    const legacy = mapLines([
      '{"type":"result","subtype":"success","is_error":true,"result":"Claude AI usage limit reached|1795485324","num_turns":1}',
    ]).events;
    expect(legacy.find((event) => event.type === 'error')).toMatchObject({
      kind: 'usage_exhausted',
      resetsAt: 1795485324000,
    });
  });

  it('tells a rate limit, bad credentials and an overloaded service apart; only bad credentials are fatal', () => {
    const rate = mapLines(fixture('rate-limit'));
    expect(rate.events.find((event) => event.type === 'error')).toMatchObject({ kind: 'rate_limited' });
    expect(rate.fatal).toBe(false);
    // With an API key there is no subscription to exhaust: a 429 with the unified headers is a rate limit.
    const apiKey = mapLines(fixture('usage-limit-api-key')).events.find((event) => event.type === 'error');
    expect(apiKey).toMatchObject({ kind: 'rate_limited', resetsAt: null });
    // A subscription's plain rate limit: a rejected rate_limit_event without a reset, "(not your usage limit)".
    const subscription = mapLines(fixture('rate-limit-subscription')).events.find(
      (event) => event.type === 'error',
    );
    expect(subscription).toMatchObject({
      kind: 'rate_limited',
      message: expect.stringContaining('not your usage limit'),
    });
    const auth = mapLines(fixture('auth-error'));
    expect(auth.events.find((event) => event.type === 'error')).toEqual({
      type: 'error',
      kind: 'auth',
      message: 'Invalid API key · Fix external API key',
      resetsAt: null,
    });
    expect(auth.fatal).toBe(true);
    const overloaded = mapLines(fixture('overloaded'));
    expect(overloaded.events.find((event) => event.type === 'error')).toMatchObject({
      kind: 'other',
      message: expect.stringContaining('529 Overloaded'),
    });
    // The synthetic API-error message is the error, not something the agent said.
    expect(overloaded.events.some((event) => event.type === 'text')).toBe(false);
  });

  it('reports an unknown resume id: no started, an error with the reason, a failed turn', () => {
    const { events } = mapLines(fixture('resume-unknown'));
    expect(types(events)).toEqual(['usage', 'error', 'turn-complete']);
    expect(events[1]).toMatchObject({
      kind: 'other',
      message: 'No conversation found with session ID: 99999999-2222-4333-8444-555555555555',
    });
  });
});
