import type { AnthropicBlock, AnthropicMessage, AnthropicRequest } from './anthropic-reply.js';

/** Text the CLI adds to user turns (`<system-reminder>…`, interrupt notes): not something the user typed. */
const isInjected = (text: string) => /^\s*(<system-reminder>|\[Request interrupted)/.test(text);

function blocksOf(message: AnthropicMessage): AnthropicBlock[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

/**
 * The texts a user typed in one message, injected context left out. One API message can hold several:
 * the CLI folds user lines sent back to back (e.g. after an interrupt) into one message.
 */
export function typedTexts(message: AnthropicMessage): string[] {
  if (message.role !== 'user') return [];
  const blocks = blocksOf(message);
  // Text beside tool results ("Tool loaded.") is the CLI talking to the model, not the user.
  if (blocks.some((block) => block.type === 'tool_result')) return [];
  return blocks
    .map((block) => (block.type === 'text' && typeof block.text === 'string' ? block.text : null))
    .filter((text): text is string => text !== null && !isInjected(text));
}

/** Every user-typed text of the conversation, oldest first. */
export function userTexts(request: AnthropicRequest): string[] {
  return request.messages.flatMap(typedTexts);
}

/** The newest user-typed text, or null when the conversation has none. */
export function lastUserText(request: AnthropicRequest): string | null {
  return userTexts(request).at(-1) ?? null;
}

/** Tool results in the newest message when it answers tool calls (the model's next step), else []. */
export function pendingToolResults(request: AnthropicRequest): AnthropicBlock[] {
  const last = request.messages.at(-1);
  if (last?.role !== 'user') return [];
  return blocksOf(last).filter((block) => block.type === 'tool_result');
}
