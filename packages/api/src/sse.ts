import type { Orchestrator } from '@orcha/core';
import type { OrchaEvent, TranscriptMessage } from '@orcha/model';
import { sessionMachine } from '@orcha/model';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

type Reads = Orchestrator['reads'];

const pageSize = 500;
/** A client this far behind is dropped; it reconnects with Last-Event-ID and catches up from the store. */
const maxQueued = 5_000;
const heartbeatMs = 15_000;

/**
 * A live queue fed by the store's commit notifications. Notifications only append to per-client arrays, so
 * a slow client never delays the store or other clients.
 */
function liveQueue<T>(reads: Reads, pick: (events: OrchaEvent[]) => T[]) {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const unsubscribe = reads.subscribe((events) => {
    const picked = pick(events);
    if (picked.length === 0) return;
    queue.push(...picked);
    if (queue.length > maxQueued) overflow = true;
    wake?.();
  });
  return {
    queue,
    get overflow() {
      return overflow;
    },
    unsubscribe,
    /** Resolves when something arrives, or after the heartbeat interval (true if it timed out). */
    wait(): Promise<boolean> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          wake = null;
          resolve(true);
        }, heartbeatMs);
        wake = () => {
          clearTimeout(timer);
          wake = null;
          resolve(false);
        };
      });
    },
    poke() {
      wake?.();
    },
  };
}

/** Each event is formatted once, however many clients it goes to. */
const frames = new WeakMap<OrchaEvent, string>();
function frameOf(event: OrchaEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/** The global change feed: every stored event after the cursor, then live ones. Event ids are store ids. */
export function eventFeed(c: Context, reads: Reads, after: number) {
  return streamSSE(c, async (stream) => {
    let cursor = after;
    let closed = false;
    const live = liveQueue(reads, (events) => events);
    stream.onAbort(() => {
      closed = true;
      live.unsubscribe();
      live.poke();
    });
    const send = async (event: OrchaEvent) => {
      if (event.id <= cursor) return;
      cursor = event.id;
      await stream.write(frameOf(event));
    };
    try {
      await stream.writeSSE({
        event: 'hello',
        data: JSON.stringify({ latestEventId: reads.latestEventId() }),
      });
      for (;;) {
        const page = reads.listEvents({ after: cursor, limit: pageSize });
        for (const event of page) await send(event);
        if (page.length < pageSize) break;
      }
      while (!closed && !live.overflow) {
        const event = live.queue.shift();
        if (event) {
          await send(event);
          continue;
        }
        if (await live.wait()) await stream.write(': ping\n\n');
      }
    } finally {
      live.unsubscribe();
    }
  });
}

/**
 * One session's transcript: messages after `after` (by seq), then live ones as they are committed, plus its
 * status changes. Ends once the session is in a terminal status and everything was sent.
 */
export function sessionStream(c: Context, reads: Reads, sessionId: string, after: number) {
  return streamSSE(c, async (stream) => {
    let cursor = after;
    let closed = false;
    const live = liveQueue(reads, (events) =>
      events.filter(
        (event) =>
          (event.type === 'message-append' || event.type === 'session-status-change') &&
          event.sessionId === sessionId,
      ),
    );
    stream.onAbort(() => {
      closed = true;
      live.unsubscribe();
      live.poke();
    });
    const sendMessages = async () => {
      for (;;) {
        const page: TranscriptMessage[] = reads.listMessages(sessionId, { after: cursor, limit: pageSize });
        for (const message of page) {
          cursor = message.seq;
          await stream.writeSSE({ id: String(message.seq), event: 'message', data: JSON.stringify(message) });
        }
        if (page.length < pageSize) return;
      }
    };
    try {
      await sendMessages();
      while (!closed && !live.overflow) {
        const session = reads.getSession(sessionId);
        if (sessionMachine.isTerminal(session.status) && live.queue.length === 0) {
          await sendMessages();
          await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: session.status }) });
          return;
        }
        const event = live.queue.shift();
        if (!event) {
          if (await live.wait()) await stream.write(': ping\n\n');
          continue;
        }
        if (event.type === 'message-append') await sendMessages();
        else await stream.writeSSE({ event: 'status', data: JSON.stringify(event) });
      }
    } finally {
      live.unsubscribe();
    }
  });
}
