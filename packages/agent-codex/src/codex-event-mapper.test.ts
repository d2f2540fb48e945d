import { readFileSync } from 'node:fs';
import type { AgentEvent } from '@orcha/agent';
import { describe, expect, it } from 'vitest';
import { CodexEventMapper, type CodexProcessEnd } from './codex-event-mapper.js';
import { parseCodexLine } from './codex-line.js';
import { stderrTail } from './codex-run.js';

// Fixtures are real `codex exec --json` output (0.169.0, TZ=UTC) against the fake Responses API.
const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
/** The clock when the usage-limit fixtures were recorded: 2026-11-25 10:57 UTC. */
const recordedAt = Date.UTC(2026, 10, 25, 10, 57, 40);

function replay(name: string, end: Partial<CodexProcessEnd> = {}): AgentEvent[] {
  const mapper = new CodexEventMapper({ model: 'gpt-fake', idPrefix: 'r1-', now: () => recordedAt });
  const events: AgentEvent[] = [];
  for (const raw of fixture(name).split('\n')) {
    const line = parseCodexLine(raw);
    if (line) events.push(...mapper.map(line));
  }
  const ok = events.some((event) => event.type === 'turn-complete' && !event.isError);
  events.push(...mapper.finish({ code: ok ? 0 : 1, signal: null, canceled: false, stderrTail: '', ...end }));
  return events;
}

describe('CodexEventMapper on recorded codex output', () => {
  it('maps a simple turn: thread id, the answer, cumulative usage, turn end, one exit', () => {
    expect(replay('simple-turn.jsonl')).toEqual([
      { type: 'started', providerSessionId: '01a2125a-e775-7283-b42b-af54a7bda19b', model: 'gpt-fake' },
      { type: 'text', text: 'apple' },
      {
        type: 'usage',
        usage: { inputTokens: 100, outputTokens: 5, costUsd: 0, modelCalls: 1, cumulative: true },
      },
      { type: 'turn-complete', result: 'apple', isError: false },
      { type: 'exited', code: 0, reason: 'completed' },
    ]);
  });

  it('keeps the thread id on resume and reports the conversation totals Codex gives', () => {
    const events = replay('resumed-turn.jsonl');
    expect(events[0]).toMatchObject({ providerSessionId: '01a2125a-e775-7283-b42b-af54a7bda19b' });
    expect(events.find((event) => event.type === 'usage')).toMatchObject({
      usage: { inputTokens: 200, outputTokens: 10, modelCalls: 1 },
    });
  });

  it('turns command executions into tool calls and results, failures marked', () => {
    const events = replay('command-execution.jsonl');
    expect(events.filter((event) => event.type.startsWith('tool-'))).toEqual([
      {
        type: 'tool-call',
        id: 'r1-item_1',
        name: 'shell',
        input: { command: "/bin/bash -lc 'echo hello-from-codex-tool'" },
      },
      { type: 'tool-result', id: 'r1-item_1', output: 'hello-from-codex-tool\n', isError: false },
      {
        type: 'tool-call',
        id: 'r1-item_2',
        name: 'shell',
        input: { command: "/bin/bash -lc 'ls /definitely-missing'" },
      },
      {
        type: 'tool-result',
        id: 'r1-item_2',
        output: "ls: cannot access '/definitely-missing': No such file or directory\n",
        isError: true,
      },
    ]);
    // The fake made two calls (both commands in one response), but Codex's JSON does not say which
    // calls shared a response, so every step after a tool result counts as a call: an upper bound.
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ usage: { modelCalls: 3 } });
    expect(events.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
  });

  it('names MCP calls as mcp__<server>__<tool> and reports tool-level failures', () => {
    const tools = replay('mcp-tool-call.jsonl').filter((event) => event.type.startsWith('tool-'));
    expect(tools).toEqual([
      { type: 'tool-call', id: 'r1-item_1', name: 'mcp__orcha__echo', input: { text: 'ping' } },
      { type: 'tool-result', id: 'r1-item_1', output: 'echo: ping', isError: false },
      { type: 'tool-call', id: 'r1-item_2', name: 'mcp__orcha__fail', input: { text: 'ping' } },
      { type: 'tool-result', id: 'r1-item_2', output: 'failed: no reason', isError: true },
    ]);
  });

  it('reads a usage limit as usage_exhausted with the reset time at the end of the minute named', () => {
    const events = replay('usage-limit.jsonl');
    expect(events.slice(1)).toEqual([
      {
        type: 'error',
        kind: 'usage_exhausted',
        message: expect.stringContaining('try again at 2:05 PM.'),
        resetsAt: Date.UTC(2026, 10, 25, 14, 6),
      },
      { type: 'turn-complete', result: null, isError: true },
      { type: 'exited', code: 1, reason: 'failed' },
    ]);
  });

  it('reads a reset on a later day, and none when Codex names no time', () => {
    expect(replay('usage-limit-later-day.jsonl').find((event) => event.type === 'error')).toMatchObject({
      kind: 'usage_exhausted',
      resetsAt: Date.UTC(2026, 10, 28, 10, 58),
    });
    expect(replay('usage-limit-no-reset.jsonl').find((event) => event.type === 'error')).toMatchObject({
      kind: 'usage_exhausted',
      resetsAt: null,
    });
  });

  it('classifies rate limits, bad keys and a failed model stream', () => {
    const errorOf = (name: string) => replay(name).filter((event) => event.type === 'error');
    expect(errorOf('rate-limit.jsonl')).toEqual([
      {
        type: 'error',
        kind: 'rate_limited',
        message: 'exceeded retry limit, last status: 429 Too Many Requests',
        resetsAt: null,
      },
    ]);
    expect(errorOf('unauthorized.jsonl')).toMatchObject([{ kind: 'auth' }]);
    expect(errorOf('stream-failed.jsonl')).toMatchObject([
      { kind: 'other', message: expect.stringContaining('scripted crash') },
    ]);
  });

  it('explains a stderr-only failure (unknown thread) from stderr, without the backtrace', () => {
    const stderr = stderrTail(fixture('unknown-thread.stderr.txt'));
    expect(stderr).toBe(
      'Error: thread/resume: thread/resume failed: no rollout found for thread id 01a20000-0000-7000-8000-000000000000 (code -32600)',
    );
    const mapper = new CodexEventMapper({ model: null, idPrefix: '', now: () => recordedAt });
    expect(mapper.finish({ code: 1, signal: null, canceled: false, stderrTail: stderr })).toEqual([
      { type: 'error', kind: 'other', message: `codex exited with code 1: ${stderr}`, resetsAt: null },
      { type: 'exited', code: 1, reason: 'failed' },
    ]);
  });

  it('ends a canceled run as canceled and a killed one as crashed, exactly once', () => {
    const canceled = new CodexEventMapper({ model: null, idPrefix: '', now: Date.now });
    expect(canceled.finish({ code: null, signal: 'SIGTERM', canceled: true, stderrTail: '' })).toEqual([
      { type: 'exited', code: null, reason: 'canceled' },
    ]);
    expect(canceled.finish({ code: 0, signal: null, canceled: false, stderrTail: '' })).toEqual([]);
    const killed = new CodexEventMapper({ model: null, idPrefix: '', now: Date.now });
    expect(killed.finish({ code: null, signal: 'SIGKILL', canceled: false, stderrTail: '' })).toEqual([
      { type: 'error', kind: 'crashed', message: 'codex was killed by SIGKILL', resetsAt: null },
      { type: 'exited', code: null, reason: 'crashed' },
    ]);
  });

  it('tolerates unknown events, legacy item names and non-JSON lines', () => {
    expect(parseCodexLine('Reading additional input from stdin...')).toBeNull();
    expect(parseCodexLine('{"type":"turn.rerouted","to":"x"}')).toEqual({
      type: 'other',
      raw: { type: 'turn.rerouted', to: 'x' },
    });
    expect(
      parseCodexLine(
        '{"type":"item.completed","item":{"id":"item_3","item_type":"assistant_message","text":"hi"}}',
      ),
    ).toEqual({
      type: 'item',
      phase: 'completed',
      item: { kind: 'agent_message', id: 'item_3', text: 'hi' },
    });
    expect(
      parseCodexLine('{"type":"turn.completed","usage":{"input_tokens":7,"output_tokens":"x"}}'),
    ).toEqual({
      type: 'turn.completed',
      usage: { inputTokens: 7, cachedInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0 },
    });
  });
});
