import type { EventType, OrchaEvent } from '@orcha/model';

/** Every SSE `event:` name of the global feed (the model's event types). */
export const eventTypes = [
  'objective-create',
  'objective-status-change',
  'session-create',
  'session-status-change',
  'session-update',
  'session-agent-switch',
  'message-append',
  'question-open',
  'question-status-change',
  'pr-open',
  'pr-update',
  'feedback-receive',
  'note-create',
  'artifact-create',
  'target-create',
  'target-status-change',
  'target-doctor',
  'workspace-update',
  'workspace-commit',
  'provider-usage-change',
  'budget-change',
] as const satisfies readonly EventType[];

// Fails to compile when the model gains an event type this list does not name.
type Unlisted = Exclude<EventType, (typeof eventTypes)[number]>;
const everyTypeListed: [Unlisted] extends [never] ? true : never = true;
void everyTypeListed;

const known = new Set<string>(eventTypes);

/** Checks the envelope of a feed event read off the wire: an object with a numeric id and a known type. */
export function parseEvent(data: string): OrchaEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const candidate = value as { id?: unknown; at?: unknown; type?: unknown };
  if (typeof candidate.id !== 'number' || !Number.isInteger(candidate.id)) return null;
  if (typeof candidate.at !== 'number' || typeof candidate.type !== 'string' || !known.has(candidate.type))
    return null;
  return value as OrchaEvent;
}
