import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CodexHome, codexCliPath, createCodexHome } from './codex-home.js';
import { type FakeOpenAI, mcpToolCall, type ResponsesReply, startFakeOpenAI } from './openai-server.js';

let server: FakeOpenAI;
let reply: ResponsesReply = { kind: 'output', items: [] };

beforeAll(async () => {
  server = await startFakeOpenAI({ handler: () => reply });
});
afterEach(() => {
  server.setHandler(() => reply);
});
afterAll(async () => {
  await server?.stop();
});

const conversation = {
  model: 'gpt-fake',
  instructions: 'be brief',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'say hi' }] },
    { type: 'function_call', call_id: 'c1', name: 'echo', namespace: 'mcp__orcha', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c1', output: 'echo: hi' },
  ],
  tools: [
    { type: 'function', name: 'exec_command' },
    { type: 'namespace', name: 'mcp__orcha', tools: [{ name: 'echo' }] },
  ],
  stream: true,
};

function post(body: unknown, key = server.apiKey, path = '/responses') {
  return fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The `data:` payloads of a server-sent event stream. */
async function events(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .flatMap((block) => block.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
}

describe('fake OpenAI Responses API', () => {
  it('streams the scripted items with text deltas and usage, and records the parsed request', async () => {
    reply = {
      kind: 'output',
      items: [
        { type: 'reasoning', text: 'thinking' },
        { type: 'message', text: 'hello there' },
        mcpToolCall('orcha', 'echo', { text: 'x' }, 'call_9'),
      ],
      usage: { inputTokens: 42 },
    };
    const response = await post(conversation);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const stream = await events(response);
    expect(stream.map((event) => event.type)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_item.done',
      'response.output_item.added',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = stream.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.map((event) => event.delta).join('')).toBe('hello there');
    expect(stream[8]).toMatchObject({
      item: {
        type: 'function_call',
        call_id: 'call_9',
        name: 'echo',
        namespace: 'mcp__orcha',
        arguments: '{"text":"x"}',
      },
    });
    expect(stream[9]).toMatchObject({
      response: { status: 'completed', usage: { input_tokens: 42, output_tokens: 3, total_tokens: 45 } },
    });
    expect(server.modelCalls().at(-1)).toMatchObject({
      model: 'gpt-fake',
      instructions: 'be brief',
      messages: [
        { role: 'developer', text: 'rules' },
        { role: 'user', text: 'say hi' },
      ],
      toolCalls: [{ callId: 'c1', name: 'echo', namespace: 'mcp__orcha', arguments: '{}' }],
      toolOutputs: [{ callId: 'c1', output: 'echo: hi' }],
      tools: ['exec_command', 'mcp__orcha.echo'],
      lastUserText: 'say hi',
      continuingAfterTool: true,
    });
  });

  it('answers usage limits, rate limits and bad keys with the bodies the real service sends', async () => {
    reply = { kind: 'usage-limit', resetsAt: 1_800_000_000 };
    let response = await post(conversation);
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({
      error: { type: 'usage_limit_reached', plan_type: 'plus', resets_at: 1_800_000_000 },
    });

    reply = { kind: 'rate-limit', retryAfterSeconds: 7 };
    response = await post(conversation);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({ error: { type: 'rate_limit_exceeded' } });

    response = await post(conversation, 'sk-wrong');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_api_key' } });

    response = await post(conversation, server.apiKey, '/models');
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it('fails a stream with response.failed and paces a slow one', async () => {
    reply = { kind: 'failed', message: 'boom' };
    const failed = await events(await post(conversation));
    expect(failed.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { error: { message: 'boom' } },
    });

    reply = { kind: 'output', items: [{ type: 'message', text: 'one two three' }], chunkDelayMs: 40 };
    const started = Date.now();
    const slow = await events(await post(conversation));
    // created, added, three deltas, done, completed: each followed by the pause.
    expect(slow).toHaveLength(7);
    expect(Date.now() - started).toBeGreaterThanOrEqual(6 * 40);
  });

  it('keeps a hanging stream open until the server stops', async () => {
    const hanging = await startFakeOpenAI({ handler: () => ({ kind: 'hang' }) });
    const response = await fetch(`${hanging.baseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hanging.apiKey}` },
      body: '{}',
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('response.created');
    const next = reader.read().then(
      (chunk) => chunk.done,
      () => true,
    );
    await hanging.stop();
    expect(await next).toBe(true);
  });
});

describe('the real codex CLI against the fake', () => {
  let home: CodexHome;
  beforeAll(async () => {
    home = await createCodexHome(server);
  });
  afterAll(async () => {
    await home?.remove();
  });

  it('takes its answer from the fake through the model provider the home configures', async () => {
    server.setHandler((request) => ({
      kind: 'output',
      items: [{ type: 'message', text: `you said: ${request.lastUserText}` }],
    }));
    const overrides = Object.entries(home.config).flatMap(([key, value]) => ['-c', `${key}=${toml(value)}`]);
    const child = spawn(
      codexCliPath,
      ['exec', '--json', '--skip-git-repo-check', ...overrides, 'hello codex'],
      { cwd: home.home, env: { ...process.env, ...home.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.resume();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('"type":"agent_message","text":"you said: hello codex"');
    expect(server.modelCalls().at(-1)?.headers.authorization).toBe(`Bearer ${server.apiKey}`);
  });
});

/** Enough TOML for the home's config: strings, numbers and one level of inline table. */
function toml(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const entries = Object.entries(value as Record<string, unknown>);
  return `{ ${entries.map(([key, item]) => `${key} = ${toml(item)}`).join(', ')} }`;
}
