import type { IncomingHttpHeaders } from 'node:http';

/** One request the fake Responses API received, parsed into what tests ask about. */
export interface ResponsesRequest {
  method: string;
  /** The request path with its query, e.g. `/v1/responses`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body as sent (an empty object when there was none or it was not JSON). */
  body: Record<string, unknown>;
  model: string | null;
  /** The top-level `instructions` field; Codex sends its instructions as `developer` messages instead. */
  instructions: string | null;
  /** The raw `input` items, in order: the whole conversation so far. */
  input: unknown[];
  /** Every message in `input`, in order, with its text parts joined. */
  messages: { role: string; text: string }[];
  /** Tool calls the model made earlier in this conversation (echoed back in `input`). */
  toolCalls: { callId: string; name: string; namespace: string | null; arguments: string }[];
  /** Results of those calls (`function_call_output` items). */
  toolOutputs: { callId: string; output: string }[];
  /** Names of the tools offered (namespaced tools as `namespace.name`). */
  tools: string[];
  /** The text of the last `user` message, or null. */
  lastUserText: string | null;
  /** True when the last input item is a tool result: the model is being asked to continue after a call. */
  continuingAfterTool: boolean;
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const stringOr = (value: unknown, fallback: string | null): string | null =>
  typeof value === 'string' ? value : fallback;

/** Parses a request body as the Responses API defines it; unknown items are kept raw and skipped. */
export function parseResponsesRequest(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  raw: string,
): ResponsesRequest {
  let body: Json = {};
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (isRecord(parsed)) body = parsed;
  } catch {
    // Not JSON (a websocket upgrade probe, a stray GET): recorded with an empty body.
  }
  const input = Array.isArray(body.input) ? body.input : [];
  const messages: ResponsesRequest['messages'] = [];
  const toolCalls: ResponsesRequest['toolCalls'] = [];
  const toolOutputs: ResponsesRequest['toolOutputs'] = [];
  for (const item of input) {
    if (!isRecord(item)) continue;
    if (item.type === 'message' || (item.type === undefined && typeof item.role === 'string')) {
      messages.push({ role: stringOr(item.role, 'user') ?? 'user', text: contentText(item.content) });
    } else if (item.type === 'function_call') {
      toolCalls.push({
        callId: stringOr(item.call_id, '') ?? '',
        name: stringOr(item.name, '') ?? '',
        namespace: stringOr(item.namespace, null),
        arguments: stringOr(item.arguments, '') ?? '',
      });
    } else if (item.type === 'function_call_output') {
      toolOutputs.push({ callId: stringOr(item.call_id, '') ?? '', output: outputText(item.output) });
    }
  }
  const last = input.at(-1);
  return {
    method,
    path,
    headers,
    body,
    model: stringOr(body.model, null),
    instructions: stringOr(body.instructions, null),
    input,
    messages,
    toolCalls,
    toolOutputs,
    tools: toolNames(body.tools),
    lastUserText: messages.findLast((message) => message.role === 'user')?.text ?? null,
    continuingAfterTool: isRecord(last) && last.type === 'function_call_output',
  };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (isRecord(output) && typeof output.content === 'string') return output.content;
  return contentText(output);
}

function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  const names: string[] = [];
  for (const tool of tools) {
    if (!isRecord(tool)) continue;
    const name = stringOr(tool.name, null);
    if (Array.isArray(tool.tools)) {
      for (const inner of toolNames(tool.tools)) names.push(name ? `${name}.${inner}` : inner);
    } else if (name) {
      names.push(name);
    } else if (typeof tool.type === 'string') {
      names.push(tool.type);
    }
  }
  return names;
}
