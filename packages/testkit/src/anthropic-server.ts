import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AnthropicBlock,
  type AnthropicMessage,
  type AnthropicRequest,
  anthropicReply,
  type FakeBlock,
  type FakeHandler,
} from './anthropic-reply.js';

export interface FakeAnthropic {
  /** The base URL for `ANTHROPIC_BASE_URL`. */
  readonly url: string;
  /** Every `/v1/messages` request, in arrival order (count_tokens and others are not recorded). */
  readonly requests: AnthropicRequest[];
  /** Replaces the handler for the requests that follow. */
  setHandler(handler: FakeHandler): void;
  /** Ends hanging responses, closes connections, stops listening. */
  stop(): Promise<void>;
}

/**
 * A scriptable Anthropic Messages API on 127.0.0.1 (random port) for running the real `claude` CLI:
 * streams SSE the way the CLI expects (message_start, content blocks with text_delta / input_json_delta,
 * message_delta with usage, message_stop), answers non-streaming requests with JSON, count_tokens with
 * an estimate, and errors with the statuses, headers and bodies the CLI reads (agent-protocols §1.9, §9).
 */
export async function startFakeAnthropic(options: { handler?: FakeHandler } = {}): Promise<FakeAnthropic> {
  let handler: FakeHandler = options.handler ?? (() => anthropicReply.text('ok'));
  const requests: AnthropicRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let messageCounter = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', String(error));
      else res.destroy();
    });
  });

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    const raw = await readBody(req);
    const body = parseObject(raw);
    if (req.method === 'POST' && path.startsWith('/v1/messages/count_tokens')) {
      sendJson(res, 200, { input_tokens: Math.ceil(raw.length / 4) });
      return;
    }
    if (req.method !== 'POST' || !path.startsWith('/v1/messages')) {
      sendError(res, 404, 'not_found_error', `no such endpoint: ${req.method} ${path}`);
      return;
    }
    const request = toRequest(path, req, body);
    requests.push(request);
    const answer = await handler(request);
    if (answer.type === 'hang') {
      hanging.add(res);
      res.once('close', () => hanging.delete(res));
      return;
    }
    if (answer.type === 'error') {
      sendError(res, answer.status, answer.errorType, answer.message, answer.headers);
      return;
    }
    const id = `msg_fake${++messageCounter}`;
    const content = answer.content.map((block, index) =>
      block.type === 'tool_use'
        ? { ...block, id: block.id ?? `toolu_fake${messageCounter}_${index}` }
        : block,
    );
    const stopReason = content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
    const outputText = content.map((block) =>
      block.type === 'text' ? block.text : JSON.stringify(block.input),
    );
    const usage = answer.usage ?? {
      inputTokens: 100,
      outputTokens: Math.max(1, Math.ceil(outputText.join('').length / 4)),
    };
    const message = { id, type: 'message', role: 'assistant', model: request.model, stop_sequence: null };
    if (!request.stream) {
      sendJson(res, 200, {
        ...message,
        content,
        stop_reason: stopReason,
        usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      });
      return;
    }
    await streamMessage(res, { message, content, stopReason, usage, delayMs: answer.chunkDelayMs ?? 0 });
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler(next) {
      handler = next;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function streamMessage(
  res: ServerResponse,
  reply: {
    message: Record<string, unknown>;
    content: (FakeBlock & { id?: string })[];
    stopReason: string;
    usage: { inputTokens: number; outputTokens: number };
    delayMs: number;
  },
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': requestId(),
  });
  const send = async (type: string, data: Record<string, unknown>) => {
    if (res.destroyed) return;
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    if (reply.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  };
  await send('message_start', {
    message: {
      ...reply.message,
      content: [],
      stop_reason: null,
      usage: { input_tokens: reply.usage.inputTokens, output_tokens: 1 },
    },
  });
  for (const [index, block] of reply.content.entries()) {
    if (block.type === 'text') {
      await send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const piece of pieces(block.text, 3)) {
        await send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
      }
    } else {
      await send('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      for (const piece of pieces(JSON.stringify(block.input), 3)) {
        await send('content_block_delta', {
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        });
      }
    }
    await send('content_block_stop', { index });
  }
  await send('message_delta', {
    delta: { stop_reason: reply.stopReason, stop_sequence: null },
    usage: { output_tokens: reply.usage.outputTokens },
  });
  await send('message_stop', {});
  res.end();
}

/** Splits text into up to `count` pieces, so clients have to reassemble deltas. */
function pieces(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const result: string[] = [];
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size));
  return result.length ? result : [''];
}

function toRequest(path: string, req: IncomingMessage, body: Record<string, unknown>): AnthropicRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const system = body.system;
  const systemText =
    typeof system === 'string'
      ? system
      : Array.isArray(system)
        ? system.map((block: AnthropicBlock) => block.text ?? '').join('\n')
        : '';
  return {
    path,
    headers,
    model: typeof body.model === 'string' ? body.model : '',
    system: systemText,
    messages: Array.isArray(body.messages) ? (body.messages as AnthropicMessage[]) : [],
    tools: Array.isArray(body.tools) ? (body.tools as AnthropicRequest['tools']) : [],
    stream: body.stream === true,
    body,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return raw;
}

function parseObject(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function requestId(): string {
  return `req_fake${randomBytes(6).toString('hex')}`;
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId(), ...headers });
  res.end(JSON.stringify(value));
}

function sendError(
  res: ServerResponse,
  status: number,
  errorType: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { type: 'error', error: { type: errorType, message } }, headers);
}
