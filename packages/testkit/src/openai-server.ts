import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseResponsesRequest, type ResponsesRequest } from './openai-request.js';

/** What the fake model answers to one request. */
export type ResponsesReply =
  /** A streamed response: the items in order, then `response.completed` with usage. */
  | { kind: 'output'; items: OutputItem[]; usage?: Partial<ReplyUsage>; chunkDelayMs?: number }
  /** HTTP 429 `usage_limit_reached` (a ChatGPT plan's limit); `resetsAt` in seconds since the epoch. */
  | { kind: 'usage-limit'; resetsAt?: number | null; planType?: string }
  /** HTTP 429 `rate_limit_exceeded` with `retry-after`. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  /** HTTP 401 `invalid_api_key`. */
  | { kind: 'unauthorized' }
  /** Any status with any JSON body. */
  | { kind: 'http-error'; status: number; body: unknown }
  /** A stream that starts and then fails with `response.failed`. */
  | { kind: 'failed'; message: string; code?: string }
  /** A stream that starts and never ends (until the client goes away or the server stops). */
  | { kind: 'hang' };

export type OutputItem =
  | { type: 'message'; text: string }
  | { type: 'reasoning'; text: string }
  /** A tool call; `namespace` is `mcp__<server>` for an MCP tool. `arguments` is JSON-encoded for you. */
  | { type: 'function_call'; name: string; arguments: unknown; namespace?: string; callId?: string };

export interface ReplyUsage {
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export type ResponsesHandler = (request: ResponsesRequest) => ResponsesReply | Promise<ResponsesReply>;

export interface FakeOpenAI {
  /** The API base to give a client, e.g. `http://127.0.0.1:40123/v1` (a Codex `model_providers` base_url). */
  readonly baseUrl: string;
  /** The key clients must send as `Authorization: Bearer …`; anything else gets a 401. */
  readonly apiKey: string;
  /** Every request received, in order (model calls and anything else). */
  readonly requests: ResponsesRequest[];
  /** Model calls only (`POST …/responses`), in order. */
  modelCalls(): ResponsesRequest[];
  /** Replaces the handler for later requests. */
  setHandler(handler: ResponsesHandler): void;
  /** Closes the server and every open stream (hanging ones included). Safe to call twice. */
  stop(): Promise<void>;
}

/** A tool call on an MCP server as Codex exposes it to the model (namespace `mcp__<server>`). */
export function mcpToolCall(server: string, tool: string, input: unknown, callId?: string): OutputItem {
  return {
    type: 'function_call',
    namespace: `mcp__${server}`,
    name: tool,
    arguments: input,
    ...(callId ? { callId } : {}),
  };
}

/**
 * A fake OpenAI Responses API on 127.0.0.1 (random port). `POST /v1/responses` is answered by the test's
 * handler, streamed as server-sent events the way the real API does (items, text deltas, usage), or with
 * the error bodies the real service sends for usage limits, rate limits and bad keys. Other paths get 404
 * (Codex then falls back to defaults). Every request is recorded for assertions.
 */
export async function startFakeOpenAI(options: { handler: ResponsesHandler }): Promise<FakeOpenAI> {
  let handler = options.handler;
  const apiKey = `sk-fake-${randomBytes(8).toString('hex')}`;
  const requests: ResponsesRequest[] = [];
  const open = new Set<ServerResponse>();
  let responseCount = 0;

  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const request = parseResponsesRequest(req.method ?? 'GET', req.url ?? '/', req.headers, raw);
    requests.push(request);
    if (req.method !== 'POST' || !/\/responses(\?|$)/.test(request.path)) {
      sendJson(res, 404, { error: { type: 'not_found', message: `no route ${req.method} ${request.path}` } });
      return;
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      sendJson(res, 401, unauthorizedBody);
      return;
    }
    open.add(res);
    res.once('close', () => open.delete(res));
    try {
      await answer(res, await handler(request), `resp_${++responseCount}`);
    } catch (error) {
      sendJson(res, 500, { error: { type: 'server_error', message: String(error) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    modelCalls: () =>
      requests.filter((request) => request.method === 'POST' && /\/responses(\?|$)/.test(request.path)),
    setHandler(next) {
      handler = next;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

const unauthorizedBody = {
  error: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
};

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function answer(res: ServerResponse, reply: ResponsesReply, responseId: string): Promise<void> {
  switch (reply.kind) {
    case 'usage-limit':
      sendJson(res, 429, {
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          plan_type: reply.planType ?? 'plus',
          ...(reply.resetsAt != null ? { resets_at: reply.resetsAt } : {}),
        },
      });
      return;
    case 'rate-limit':
      sendJson(
        res,
        429,
        {
          error: { type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', message: 'Rate limit reached.' },
        },
        { 'retry-after': String(reply.retryAfterSeconds ?? 1) },
      );
      return;
    case 'unauthorized':
      sendJson(res, 401, unauthorizedBody);
      return;
    case 'http-error':
      sendJson(res, reply.status, reply.body);
      return;
    case 'failed':
    case 'hang':
    case 'output':
      return stream(res, reply, responseId);
    default: {
      const unknown: never = reply;
      throw new Error(`unknown reply ${JSON.stringify(unknown)}`);
    }
  }
}

async function stream(
  res: ServerResponse,
  reply: Extract<ResponsesReply, { kind: 'output' | 'failed' | 'hang' }>,
  responseId: string,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const pause = reply.kind === 'output' ? (reply.chunkDelayMs ?? 0) : 0;
  let sequence = 0;
  const send = async (event: Record<string, unknown>) => {
    if (res.destroyed) return;
    res.write(
      `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence++ })}\n\n`,
    );
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  };
  const base = { id: responseId, object: 'response', created_at: Math.floor(Date.now() / 1000) };
  await send({ type: 'response.created', response: { ...base, status: 'in_progress', output: [] } });
  if (reply.kind === 'hang') return; // stays open: stop() or the client's disconnect ends it
  if (reply.kind === 'failed') {
    await send({
      type: 'response.failed',
      response: {
        ...base,
        status: 'failed',
        error: { code: reply.code ?? 'server_error', message: reply.message },
      },
    });
    res.end();
    return;
  }
  const done: unknown[] = [];
  for (const [index, item] of reply.items.entries()) {
    const itemId = `item_${responseId}_${index}`;
    const full = outputItem(item, itemId, responseId, index);
    const opened = item.type === 'message' ? { ...full, content: [], status: 'in_progress' } : full;
    await send({ type: 'response.output_item.added', output_index: index, item: opened });
    if (item.type === 'message') {
      for (const delta of item.text.match(/\S+\s*|\s+/g) ?? []) {
        await send({
          type: 'response.output_text.delta',
          output_index: index,
          content_index: 0,
          item_id: itemId,
          delta,
        });
      }
    }
    await send({ type: 'response.output_item.done', output_index: index, item: full });
    done.push(full);
  }
  const text = reply.items.map((item) => ('text' in item ? item.text : '')).join(' ');
  const usage: ReplyUsage = {
    inputTokens: 100,
    cachedTokens: 0,
    outputTokens: Math.max(1, text.split(/\s+/).filter(Boolean).length),
    reasoningTokens: 0,
    ...reply.usage,
  };
  await send({
    type: 'response.completed',
    response: {
      ...base,
      status: 'completed',
      output: done,
      usage: {
        input_tokens: usage.inputTokens,
        input_tokens_details: { cached_tokens: usage.cachedTokens },
        output_tokens: usage.outputTokens,
        output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
    },
  });
  res.end();
}

function outputItem(
  item: OutputItem,
  id: string,
  responseId: string,
  index: number,
): Record<string, unknown> {
  switch (item.type) {
    case 'message':
      return {
        type: 'message',
        id,
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: item.text, annotations: [] }],
      };
    case 'reasoning':
      return { type: 'reasoning', id, summary: [{ type: 'summary_text', text: item.text }] };
    case 'function_call':
      return {
        type: 'function_call',
        id,
        call_id: item.callId ?? `call_${responseId}_${index}`,
        name: item.name,
        ...(item.namespace ? { namespace: item.namespace } : {}),
        arguments: typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {}),
        status: 'completed',
      };
    default: {
      const unknown: never = item;
      throw new Error(`unknown output item ${JSON.stringify(unknown)}`);
    }
  }
}
