import type { OrchaEvent } from '@orcha/model';
import { eventTypes, parseEvent } from './event-types';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface FeedHandlers {
  /** Each event exactly once, in id order. */
  onEvents(events: OrchaEvent[]): void;
  /** The server's latest event id at (re)connection; lower than ours means its data was replaced. */
  onHello(latestEventId: number): void;
  onState(state: ConnectionState): void;
}

export interface Feed {
  close(): void;
  /** The id of the last event delivered. */
  readonly lastEventId: number;
}

const retryMs = [500, 1000, 2000, 4000, 8000];

/**
 * The global change feed over one EventSource on /api/events. The browser reconnects by itself with
 * `Last-Event-ID`; when it gives up (an HTTP error answer) we open a new one from the last id we saw.
 * Ids at or below the last delivered one are dropped, so a replay never delivers an event twice.
 * Events that arrive in one burst are handed over together.
 */
export function openFeed(after: number, handlers: FeedHandlers): Feed {
  let lastEventId = after;
  let source: EventSource | null = null;
  let closed = false;
  let attempts = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let batch: OrchaEvent[] = [];

  const flush = () => {
    const events = batch;
    batch = [];
    if (events.length) handlers.onEvents(events);
  };
  const receive = (message: MessageEvent<string>) => {
    const event = parseEvent(message.data);
    if (!event || event.id <= lastEventId) return;
    lastEventId = event.id;
    if (batch.length === 0) queueMicrotask(flush);
    batch.push(event);
  };

  const connect = () => {
    if (closed) return;
    handlers.onState(attempts === 0 ? 'connecting' : 'reconnecting');
    const current = new EventSource(`/api/events?after=${lastEventId}`);
    source = current;
    current.addEventListener('hello', (message) => {
      attempts = 0;
      handlers.onState('live');
      const data = parseHello((message as MessageEvent<string>).data);
      if (data !== null) handlers.onHello(data);
    });
    for (const type of eventTypes) current.addEventListener(type, receive as EventListener);
    current.onerror = () => {
      if (closed || source !== current) return;
      handlers.onState('reconnecting');
      if (current.readyState === EventSource.CLOSED) {
        current.close();
        const delay = retryMs[Math.min(attempts, retryMs.length - 1)]!;
        attempts++;
        retry = setTimeout(connect, delay);
      } else {
        attempts++;
      }
    };
  };
  connect();

  return {
    get lastEventId() {
      return lastEventId;
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      source?.close();
    },
  };
}

function parseHello(data: string): number | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && 'latestEventId' in value) {
      const latest = (value as { latestEventId: unknown }).latestEventId;
      return typeof latest === 'number' ? latest : null;
    }
  } catch {
    return null;
  }
  return null;
}
