/** What the fake Messages API receives, and what a test's handler answers with. */

/** One content block of a Messages API conversation, loosely typed: the CLI sends many kinds. */
export interface AnthropicBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  [key: string]: unknown;
}

export interface AnthropicMessage {
  role: string;
  content: string | AnthropicBlock[];
}

/** A request to `POST /v1/messages`, as the handler and the assertions see it. */
export interface AnthropicRequest {
  /** The path with its query, e.g. `/v1/messages?beta=true`. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  model: string;
  /** The system prompt's text blocks, joined by newlines. */
  system: string;
  messages: AnthropicMessage[];
  tools: { name: string; description?: string; input_schema?: unknown }[];
  stream: boolean;
  body: Record<string, unknown>;
}

export type FakeBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: Record<string, unknown>; id?: string };

/** What the fake model does with one request. Build replies with `anthropicReply.*`. */
export type FakeReply =
  | {
      type: 'message';
      content: FakeBlock[];
      /** Pause between SSE events: a slow stream. */
      chunkDelayMs?: number;
      usage?: { inputTokens: number; outputTokens: number };
    }
  | { type: 'error'; status: number; errorType: string; message: string; headers?: Record<string, string> }
  /** Never answers (until the client goes away or the server stops). */
  | { type: 'hang' };

export type FakeHandler = (request: AnthropicRequest) => FakeReply | Promise<FakeReply>;

export const anthropicReply = {
  text: (text: string, options: { chunkDelayMs?: number } = {}): FakeReply => ({
    type: 'message',
    content: [{ type: 'text', text }],
    ...options,
  }),
  /** A tool call (optionally after some text); the model then waits for the tool result. */
  toolUse: (name: string, input: Record<string, unknown>, options: { text?: string } = {}): FakeReply => ({
    type: 'message',
    content: [
      ...(options.text ? [{ type: 'text' as const, text: options.text }] : []),
      { type: 'tool_use', name, input },
    ],
  }),
  /**
   * A subscription usage limit: 429 with the unified rate-limit headers. With an OAuth token the CLI
   * reports it as `rate_limit_event` (status rejected, `resetsAt`) and "You've hit your … limit".
   */
  usageLimit: (resetsAtSeconds: number): FakeReply => ({
    type: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: 'This request would exceed your account usage limit.',
    headers: {
      'retry-after': String(Math.max(1, resetsAtSeconds - Math.floor(Date.now() / 1000))),
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(resetsAtSeconds),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    },
  }),
  rateLimit: (retryAfterSeconds = 1): FakeReply => ({
    type: 'error',
    status: 429,
    errorType: 'rate_limit_error',
    message: "This request would exceed your account's rate limit. Please try again later.",
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  authError: (): FakeReply => ({
    type: 'error',
    status: 401,
    errorType: 'authentication_error',
    message: 'invalid x-api-key',
  }),
  overloaded: (): FakeReply => ({
    type: 'error',
    status: 529,
    errorType: 'overloaded_error',
    message: 'Overloaded',
  }),
  hang: (): FakeReply => ({ type: 'hang' }),
};
