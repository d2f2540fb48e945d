import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One part of a `generativelanguage` v1beta content, loosely typed: the CLI sends several kinds. */
export interface GeminiPart {
  text?: string;
  functionCall?: { id?: string; name: string; args?: Record<string, unknown> };
  functionResponse?: { id?: string; name: string; response?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface GeminiContent {
  role: string;
  parts: GeminiPart[];
}

/** A `:streamGenerateContent` / `:generateContent` request, as handlers and assertions see it. */
export interface GeminiRequest {
  /** The model named in the path (`gemini-2.5-flash`). */
  model: string;
  /** `streamGenerateContent` or `generateContent`. */
  method: string;
  headers: Record<string, string | undefined>;
  contents: GeminiContent[];
  /** Every declared function name (built-in tools and MCP tools such as `mcp_orcha_echo`). */
  functions: string[];
  body: Record<string, unknown>;
}

export type GeminiReply =
  | { type: 'parts'; parts: GeminiPart[]; chunkDelayMs?: number }
  | { type: 'error'; status: number; message: string }
  /** Never answers (until the client goes away or the server stops). */
  | { type: 'hang' };

export type GeminiHandler = (request: GeminiRequest) => GeminiReply | Promise<GeminiReply>;

export const geminiReply = {
  /** Text, streamed in up to three SSE events. */
  text: (text: string, options: { chunkDelayMs?: number } = {}): GeminiReply => ({
    type: 'parts',
    parts: [{ text }],
    ...options,
  }),
  /** A function call (built-in tool or `mcp_<server>_<tool>`); the CLI answers with a functionResponse. */
  call: (name: string, args: Record<string, unknown>): GeminiReply => ({
    type: 'parts',
    parts: [{ functionCall: { name, args } }],
  }),
  /** The key is refused: a fatal, non-retried error. */
  authError: (): GeminiReply => ({
    type: 'error',
    status: 400,
    message: 'API key not valid. Please pass a valid API key.',
  }),
  hang: (): GeminiReply => ({ type: 'hang' }),
};

export interface FakeGemini {
  /** The base URL for `GOOGLE_GEMINI_BASE_URL`. */
  readonly url: string;
  /** Every generate request, in arrival order. */
  readonly requests: GeminiRequest[];
  setHandler(handler: GeminiHandler): void;
  /** Ends hanging responses, closes connections, stops listening. */
  stop(): Promise<void>;
}

/**
 * A scriptable Gemini API (`generativelanguage` v1beta) on 127.0.0.1 for running the real Gemini CLI:
 * `:streamGenerateContent?alt=sse` streams `data:` events, `:generateContent` answers JSON, errors come
 * in Google's `{ error: { code, message, status } }` shape.
 */
export async function startFakeGemini(options: { handler?: GeminiHandler } = {}): Promise<FakeGemini> {
  let handler: GeminiHandler = options.handler ?? (() => geminiReply.text('ok'));
  const requests: GeminiRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void (async () => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const match = /\/models\/([^/:?]+):(\w+)/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        send(res, 404, {
          error: { code: 404, message: `no such endpoint: ${req.method} ${req.url}`, status: 'NOT_FOUND' },
        });
        return;
      }
      const [, model = '', method = ''] = match;
      if (method === 'countTokens') {
        send(res, 200, { totalTokens: Math.ceil(raw.length / 4) });
        return;
      }
      const body = parseObject(raw);
      const request: GeminiRequest = {
        model,
        method,
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(', ') : value,
          ]),
        ),
        contents: Array.isArray(body.contents) ? (body.contents as GeminiContent[]) : [],
        functions: declaredFunctions(body),
        body,
      };
      requests.push(request);
      const answer = await handler(request);
      if (answer.type === 'hang') {
        hanging.add(res);
        res.once('close', () => hanging.delete(res));
        return;
      }
      if (answer.type === 'error') {
        send(res, answer.status, {
          error: { code: answer.status, message: answer.message, status: 'INVALID_ARGUMENT' },
        });
        return;
      }
      const usageMetadata = { promptTokenCount: 12, candidatesTokenCount: 3, totalTokenCount: 15 };
      const candidate = (parts: GeminiPart[], last: boolean) => ({
        candidates: [
          { content: { role: 'model', parts }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 },
        ],
        usageMetadata,
        modelVersion: 'gemini-fake',
      });
      if (method !== 'streamGenerateContent') {
        send(res, 200, candidate(answer.parts, true));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const events = answer.parts.flatMap((part) =>
        typeof part.text === 'string' ? pieces(part.text, 3).map((text) => ({ text })) : [part],
      );
      for (const [index, part] of events.entries()) {
        if (res.destroyed) return;
        res.write(`data: ${JSON.stringify(candidate([part], index === events.length - 1))}\r\n\r\n`);
        if (answer.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, answer.chunkDelayMs));
      }
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } });
      else res.destroy();
    });
  });
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

/** The texts the user typed, oldest first: user contents made of text only (not function responses). */
export function geminiUserTexts(request: GeminiRequest): string[] {
  return request.contents.flatMap((content) => {
    if (content.role !== 'user' || content.parts.some((part) => part.functionResponse)) return [];
    const text = content.parts.flatMap((part) => (part.text ? [part.text] : [])).join('\n');
    return text ? [text] : [];
  });
}

/** The function responses in the newest content when it answers calls (the model's next step), else []. */
export function geminiPendingResponses(
  request: GeminiRequest,
): NonNullable<GeminiPart['functionResponse']>[] {
  const last = request.contents.at(-1);
  if (last?.role !== 'user') return [];
  return last.parts.flatMap((part) => (part.functionResponse ? [part.functionResponse] : []));
}

function declaredFunctions(body: Record<string, unknown>): string[] {
  const tools = Array.isArray(body.tools)
    ? (body.tools as { functionDeclarations?: { name?: string }[] }[])
    : [];
  return tools.flatMap((tool) =>
    (tool.functionDeclarations ?? []).map((declaration) => declaration.name ?? ''),
  );
}

function pieces(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const result: string[] = [];
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size));
  return result.length ? result : [''];
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

function send(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}
