import { checkFrame } from './contract.js';

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
  /** When the frame was read off the stream (ms since the epoch): latency is measured to here. */
  receivedAt: number;
}

/**
 * Reads a server-sent event stream with fetch, the way EventSource does, for tests. Every frame must be one
 * the OpenAPI document declares for that stream (`checkFrame`): `until` and `close` throw the first that is not.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const path = new URL(url).pathname;
  const checks: Promise<void>[] = [];
  let invalid: unknown = null;
  const check = (message: SseMessage) =>
    checks.push(
      (async () => {
        const frame = { event: message.event, data: JSON.parse(message.data) as unknown };
        await checkFrame(path, message.id === null ? frame : { ...frame, id: Number(message.id) });
      })().catch((error: unknown) => {
        invalid ??= error;
      }),
    );
  const valid = async () => {
    await Promise.all(checks);
    if (invalid) throw invalid;
  };
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  if (!response.body) throw new Error('no body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const messages: SseMessage[] = [];
  let buffer = '';
  let waiter = null as (() => void) | null;
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = { id: null, event: 'message', data: '', receivedAt: Date.now() };
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id') message.id = text;
            else if (field === 'event') message.event = text;
            else if (field === 'data') message.data += message.data ? `\n${text}` : text;
          }
          if (block.trim() && !block.startsWith(':')) {
            messages.push(message);
            check(message);
          }
          waiter?.();
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    messages,
    /** Resolves when `predicate` holds for the messages received so far. */
    async until(predicate: (messages: SseMessage[]) => boolean, timeoutMs = 5_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages)) {
        if (invalid) throw invalid;
        if (Date.now() > deadline)
          throw new Error(`SSE condition not met; got ${messages.map((m) => m.event).join(',')}`);
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 100);
        });
      }
      await valid();
    },
    async close() {
      controller.abort();
      await pump;
      await valid();
    },
  };
}
