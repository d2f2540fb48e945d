import { z } from 'zod';

/**
 * One line of `codex exec --json` (0.169.0, tolerant of older and newer shapes): unknown keys are kept,
 * unknown `type`s and item types come through as `other`, and fields Codex may leave out are optional.
 */
export type CodexLine =
  | { type: 'thread.started'; threadId: string }
  | { type: 'turn.started' }
  | { type: 'item'; phase: 'started' | 'updated' | 'completed'; item: CodexItem }
  | { type: 'turn.completed'; usage: CodexUsage }
  | { type: 'turn.failed'; message: string }
  | { type: 'error'; message: string }
  | { type: 'other'; raw: unknown };

export interface CodexUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
}

export type CodexItemStatus = 'in_progress' | 'completed' | 'failed' | null;

export type CodexItem =
  | { kind: 'agent_message'; id: string; text: string }
  | { kind: 'reasoning'; id: string; text: string }
  | {
      kind: 'command_execution';
      id: string;
      command: string;
      output: string;
      exitCode: number | null;
      status: CodexItemStatus;
    }
  | { kind: 'file_change'; id: string; changes: { path: string; kind: string }[]; status: CodexItemStatus }
  | {
      kind: 'mcp_tool_call';
      id: string;
      server: string;
      tool: string;
      arguments: unknown;
      result: { content: unknown[]; structuredContent: unknown } | null;
      error: string | null;
      status: CodexItemStatus;
    }
  | { kind: 'web_search'; id: string; query: string }
  | { kind: 'error'; id: string; message: string }
  | { kind: 'other'; id: string; type: string };

const count = z.number().catch(0);
const text = z.string().catch('');
const status = z.enum(['in_progress', 'completed', 'failed']).nullable().catch(null);

const usageSchema = z.looseObject({
  input_tokens: count,
  cached_input_tokens: count,
  output_tokens: count,
  reasoning_output_tokens: count,
});

const itemSchema = z.looseObject({
  id: z.string().catch(''),
  // 0.42-era builds said `item_type` (and `assistant_message`); current ones say `type`.
  type: z.string().optional(),
  item_type: z.string().optional(),
  text,
  message: text,
  command: text,
  aggregated_output: text,
  exit_code: z.number().nullable().catch(null),
  status,
  changes: z.array(z.looseObject({ path: text, kind: text })).catch([]),
  server: text,
  tool: text,
  arguments: z.unknown().optional(),
  result: z
    .looseObject({ content: z.array(z.unknown()).catch([]), structured_content: z.unknown().optional() })
    .nullable()
    .catch(null),
  error: z.looseObject({ message: text }).nullable().catch(null),
  query: text,
});

const lineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({
    type: z.enum(['item.started', 'item.updated', 'item.completed']),
    item: itemSchema,
  }),
  z.looseObject({
    type: z.literal('turn.completed'),
    usage: usageSchema.catch({
      input_tokens: 0,
      cached_input_tokens: 0,
      output_tokens: 0,
      reasoning_output_tokens: 0,
    }),
  }),
  z.looseObject({
    type: z.literal('turn.failed'),
    error: z.looseObject({ message: text }).catch({ message: '' }),
  }),
  z.looseObject({ type: z.literal('error'), message: text }),
]);

/**
 * Parses one stdout line. Returns null for blank lines and for lines that are not JSON objects (Codex
 * prints some notices as plain text); anything JSON that is not a known event becomes `other`.
 */
export function parseCodexLine(line: string): CodexLine | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const parsed = lineSchema.safeParse(json);
  if (!parsed.success) return { type: 'other', raw: json };
  const value = parsed.data;
  switch (value.type) {
    case 'thread.started':
      return { type: 'thread.started', threadId: value.thread_id };
    case 'turn.started':
      return { type: 'turn.started' };
    case 'item.started':
    case 'item.updated':
    case 'item.completed':
      return {
        type: 'item',
        phase: value.type.slice('item.'.length) as 'started' | 'updated' | 'completed',
        item: toItem(value.item),
      };
    case 'turn.completed':
      return {
        type: 'turn.completed',
        usage: {
          inputTokens: value.usage.input_tokens,
          cachedInputTokens: value.usage.cached_input_tokens,
          outputTokens: value.usage.output_tokens,
          reasoningOutputTokens: value.usage.reasoning_output_tokens,
        },
      };
    case 'turn.failed':
      return { type: 'turn.failed', message: value.error.message };
    case 'error':
      return { type: 'error', message: value.message };
    default: {
      const unknown: never = value;
      return { type: 'other', raw: unknown };
    }
  }
}

function toItem(item: z.infer<typeof itemSchema>): CodexItem {
  const type = item.type ?? item.item_type ?? '';
  const id = item.id;
  switch (type) {
    case 'agent_message':
    case 'assistant_message':
      return { kind: 'agent_message', id, text: item.text };
    case 'reasoning':
      return { kind: 'reasoning', id, text: item.text };
    case 'command_execution':
      return {
        kind: 'command_execution',
        id,
        command: item.command,
        output: item.aggregated_output,
        exitCode: item.exit_code,
        status: item.status,
      };
    case 'file_change':
      return { kind: 'file_change', id, changes: item.changes, status: item.status };
    case 'mcp_tool_call':
      return {
        kind: 'mcp_tool_call',
        id,
        server: item.server,
        tool: item.tool,
        arguments: item.arguments ?? {},
        result: item.result
          ? { content: item.result.content, structuredContent: item.result.structured_content ?? null }
          : null,
        error: item.error?.message || null,
        status: item.status,
      };
    case 'web_search':
      return { kind: 'web_search', id, query: item.query };
    case 'error':
      return { kind: 'error', id, message: item.message };
    default:
      return { kind: 'other', id, type };
  }
}
