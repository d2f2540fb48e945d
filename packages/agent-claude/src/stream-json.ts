import { z } from 'zod';

/**
 * The stdout lines of `claude -p --output-format stream-json --verbose` that orcha reads
 * (agent-protocols.md §1.3–1.10). Schemas keep only the fields we use and accept anything else: the CLI
 * adds fields often. Types and subtypes we do not know are not errors; they are skipped.
 */

const contentBlock = z.object({ type: z.string() }).catchall(z.unknown());
export type ContentBlock = z.infer<typeof contentBlock>;

const systemInit = z.object({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: z.string(),
  model: z.string().nullish(),
});

/** The usage an assistant message carries: what its model call took in, and what it gave out so far. */
const messageUsage = z.object({
  input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});

const assistant = z.object({
  type: z.literal('assistant'),
  message: z.object({
    /** One model call: each of its content blocks comes as its own line with the same id. */
    id: z.string().nullish(),
    content: z.array(contentBlock),
    usage: messageUsage.nullish(),
  }),
  /** Set on the synthetic message that reports an API error: `rate_limit`, `authentication_failed`… */
  error: z.string().nullish(),
  api_error_status: z.number().nullish(),
  is_api_error_message: z.boolean().nullish(),
});

const user = z.object({
  type: z.literal('user'),
  message: z.object({ content: z.union([z.string(), z.array(contentBlock)]) }),
});

const modelUsage = z.object({
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  cacheReadInputTokens: z.number().default(0),
  cacheCreationInputTokens: z.number().default(0),
});

const result = z.object({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean(),
  /** The final text; on API errors (is_error with subtype success) the error text. */
  result: z.string().nullish(),
  /** Error subtypes carry their explanations here instead. */
  errors: z.array(z.string()).nullish(),
  session_id: z.string().nullish(),
  num_turns: z.number().default(0),
  /** Cumulative over the process (and a resumed conversation). */
  total_cost_usd: z.number().default(0),
  usage: messageUsage.nullish(),
  /** Per model, cumulative over the process. */
  modelUsage: z.record(z.string(), modelUsage).nullish(),
  api_error_status: z.number().nullish(),
  terminal_reason: z.string().nullish(),
});

const rateLimitEvent = z.object({
  type: z.literal('rate_limit_event'),
  rate_limit_info: z.object({
    status: z.string(),
    /** Epoch seconds. */
    resetsAt: z.number().nullish(),
    rateLimitType: z.string().nullish(),
  }),
});

const controlResponse = z.object({
  type: z.literal('control_response'),
  response: z.object({ subtype: z.string(), request_id: z.string() }),
});

export type SystemInit = z.infer<typeof systemInit>;
export type AssistantMessage = z.infer<typeof assistant>;
export type UserMessage = z.infer<typeof user>;
export type ResultMessage = z.infer<typeof result>;
export type RateLimitEvent = z.infer<typeof rateLimitEvent>;
export type ControlResponse = z.infer<typeof controlResponse>;

export type StreamMessage =
  | SystemInit
  | AssistantMessage
  | UserMessage
  | ResultMessage
  | RateLimitEvent
  | ControlResponse;

/** What one stdout line turned out to be. `skipped`: valid JSON we have no use for. */
export type ParsedLine =
  | { kind: 'message'; message: StreamMessage }
  | { kind: 'skipped'; type: string }
  | { kind: 'invalid'; reason: string; line: string };

const envelope = z.object({ type: z.string(), subtype: z.string().optional() }).catchall(z.unknown());

/** Parses one stdout line (without its newline). Blank lines are skipped. */
export function parseStreamLine(line: string): ParsedLine {
  const text = line.trim();
  if (!text) return { kind: 'skipped', type: '' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON', line };
  }
  const head = envelope.safeParse(value);
  if (!head.success) return { kind: 'invalid', reason: 'no type', line };
  const schema = schemaFor(head.data.type, head.data.subtype);
  if (!schema) return { kind: 'skipped', type: head.data.type };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { kind: 'invalid', reason: `${head.data.type}: ${parsed.error.message}`, line };
  return { kind: 'message', message: parsed.data };
}

function schemaFor(type: string, subtype: string | undefined): z.ZodType<StreamMessage> | null {
  switch (type) {
    case 'system':
      return subtype === 'init' ? systemInit : null;
    case 'assistant':
      return assistant;
    case 'user':
      return user;
    case 'result':
      return result;
    case 'rate_limit_event':
      return rateLimitEvent;
    case 'control_response':
      return controlResponse;
    default:
      return null;
  }
}

/** A user line for stdin: one JSON object and a newline (agent-protocols §1.2). */
export function userLine(text: string): string {
  return `${JSON.stringify({
    type: 'user',
    session_id: '',
    message: { role: 'user', content: [{ type: 'text', text }] },
    parent_tool_use_id: null,
  })}\n`;
}

/** An interrupt control request for stdin: stops the current turn, keeps the process. */
export function interruptLine(requestId: string): string {
  return `${JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } })}\n`;
}
