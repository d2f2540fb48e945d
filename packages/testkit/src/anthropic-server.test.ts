import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { lastUserText, pendingToolResults, userTexts } from './anthropic-conversation.js';
import { anthropicReply } from './anthropic-reply.js';
import { type FakeAnthropic, startFakeAnthropic } from './anthropic-server.js';
import { claudeCliPath, createClaudeCliEnvironment } from './claude-cli.js';
import { createTempDir } from './temp.js';

let server: FakeAnthropic | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const post = (path: string, body: unknown) =>
  fetch(`${server!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const request = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-test',
  stream: true,
  system: [{ type: 'text', text: 'be brief' }],
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...extra,
});

/** Parses an SSE body into its events (`event:` name, parsed `data:`). */
function sseEvents(body: string): { event: string; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((frame) => frame.trim())
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? '{}') as Record<string, unknown>;
      return { event, data };
    });
}

describe('fake Anthropic Messages API', () => {
  it('streams text and a tool call in pieces, with usage, and records the request', async () => {
    server = await startFakeAnthropic({
      handler: (req) =>
        anthropicReply.toolUse('Bash', { command: `echo ${lastUserText(req)}` }, { text: 'running it' }),
    });
    const response = await post('/v1/messages?beta=true', request('hello there'));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = sseEvents(await response.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      ...Array(3).fill('content_block_delta'),
      'content_block_stop',
      'content_block_start',
      ...Array(3).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const deltas = events.flatMap((e) => (e.event === 'content_block_delta' ? [e.data.delta as never] : []));
    const text = deltas.flatMap((d: { text?: string }) => (d.text ? [d.text] : [])).join('');
    const json = deltas.flatMap((d: { partial_json?: string }) => (d.partial_json ? [d.partial_json] : []));
    expect(text).toBe('running it');
    expect(JSON.parse(json.join(''))).toEqual({ command: 'echo hello there' });
    expect(events.at(-2)?.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: 10 },
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ model: 'claude-test', system: 'be brief', stream: true });
  });

  it('answers non-streaming requests with JSON, count_tokens with an estimate, unknown paths 404', async () => {
    server = await startFakeAnthropic({ handler: () => anthropicReply.text('plain') });
    const message = await (await post('/v1/messages', request('x', { stream: false }))).json();
    expect(message).toMatchObject({ content: [{ type: 'text', text: 'plain' }], stop_reason: 'end_turn' });
    const counted = await (await post('/v1/messages/count_tokens', request('x'))).json();
    expect(counted).toEqual({ input_tokens: expect.any(Number) });
    expect((await post('/v1/nothing', {})).status).toBe(404);
    expect(server.requests).toHaveLength(1);
  });

  it('answers scripted errors with the status, headers and body the CLI reads', async () => {
    const resetsAt = Math.floor(Date.now() / 1000) + 3600;
    const replies = [
      anthropicReply.usageLimit(resetsAt),
      anthropicReply.rateLimit(2),
      anthropicReply.authError(),
      anthropicReply.overloaded(),
    ];
    server = await startFakeAnthropic({ handler: () => replies.shift() ?? anthropicReply.text('done') });
    const usage = await post('/v1/messages', request('x'));
    expect(usage.status).toBe(429);
    expect(usage.headers.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    expect(usage.headers.get('anthropic-ratelimit-unified-reset')).toBe(String(resetsAt));
    expect(await usage.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const rate = await post('/v1/messages', request('x'));
    expect([rate.status, rate.headers.get('retry-after')]).toEqual([429, '2']);
    expect((await post('/v1/messages', request('x'))).status).toBe(401);
    const overloaded = await post('/v1/messages', request('x'));
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('hangs until stopped, and streams slowly when asked', async () => {
    server = await startFakeAnthropic({
      handler: (req) =>
        lastUserText(req) === 'hang'
          ? anthropicReply.hang()
          : anthropicReply.text('slow', { chunkDelayMs: 30 }),
    });
    const began = Date.now();
    await (await post('/v1/messages', request('slow'))).text();
    expect(Date.now() - began).toBeGreaterThanOrEqual(30 * 6);
    const hanging = post('/v1/messages', request('hang')).then(
      () => 'answered',
      () => 'dropped',
    );
    await expect.poll(() => server!.requests.length).toBe(2);
    await server.stop();
    server = undefined;
    expect(await hanging).toBe('dropped');
  });

  it('reads typed text apart from injected context and tool results', async () => {
    server = await startFakeAnthropic();
    await post(
      '/v1/messages',
      request('', {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: '<system-reminder>\ncontext\n</system-reminder>' },
              { type: 'text', text: 'say apple' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: 'ok' },
              { type: 'text', text: 'Tool loaded.' },
            ],
          },
        ],
      }),
    );
    const [seen] = server.requests;
    expect(userTexts(seen!)).toEqual(['say apple']);
    expect(lastUserText(seen!)).toBe('say apple');
    expect(pendingToolResults(seen!)).toEqual([{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }]);
  });

  it('is a model the real claude CLI talks to, in the environment it needs', async () => {
    server = await startFakeAnthropic({
      handler: (req) => anthropicReply.text(`you said ${lastUserText(req)}`),
    });
    const cli = await createClaudeCliEnvironment({ baseUrl: server.url });
    const cwd = await createTempDir('orcha-claude-cwd-');
    try {
      const child = spawn(claudeCliPath, ['-p', 'ping', '--output-format', 'json'], {
        cwd: cwd.path,
        env: { ...process.env, ...cli.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const code = await new Promise((resolve) => child.once('close', resolve));
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ is_error: false, result: 'you said ping' });
      expect(server.requests.at(-1)?.headers['x-api-key']).toBe(cli.env.ANTHROPIC_API_KEY);
      expect(cli.env.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await cli.remove();
      await cwd.remove();
    }
  });
});
