import { OrchaApiError } from './client.js';
import type { components } from './generated/openapi.js';

type Frames = Pick<components['schemas'], 'FeedFrame' | 'TranscriptFrame'>;

export interface EventStreamOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. Empty is this page's own origin. */
  baseUrl?: string;
  token?: string | undefined;
  /** Resume after this event id (the change feed) or seq (a transcript). */
  lastEventId?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Wait before reconnecting after the connection drops (default 1 s). */
  retryMs?: number;
  fetch?: typeof fetch;
}

/**
 * Reads one of the API's event streams as typed frames: `/api/events` yields `FeedFrame`s,
 * `/api/sessions/{id}/stream` yields `TranscriptFrame`s. A dropped connection reconnects with
 * `Last-Event-ID`, so nothing is missed or repeated; a transcript ends after its `end` frame. The API's
 * refusals (4xx) throw an `OrchaApiError`; aborting the signal ends the iteration.
 */
export function readEventStream(
  path: '/api/events',
  options?: EventStreamOptions,
): AsyncGenerator<Frames['FeedFrame']>;
export function readEventStream(
  path: `/api/sessions/${string}/stream`,
  options?: EventStreamOptions,
): AsyncGenerator<Frames['TranscriptFrame']>;
export async function* readEventStream(
  path: string,
  options: EventStreamOptions = {},
): AsyncGenerator<Frames['FeedFrame'] | Frames['TranscriptFrame']> {
  let lastEventId = options.lastEventId;
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  while (!options.signal?.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { headers, signal: options.signal ?? null });
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof TypeError) {
        await pause(options.retryMs ?? 1_000, options.signal);
        continue;
      }
      throw error;
    }
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => null)) as components['schemas']['Error'] | null;
      if (response.status >= 500) {
        await pause(options.retryMs ?? 1_000, options.signal);
        continue;
      }
      throw new OrchaApiError(
        response.status,
        body?.error?.code ?? 'internal',
        body?.error?.message ?? `${path} answered ${response.status}`,
      );
    }
    try {
      for await (const frame of parseFrames(response.body)) {
        if (frame.id !== undefined) lastEventId = frame.id;
        yield frame as Frames['FeedFrame'] | Frames['TranscriptFrame'];
        if (frame.event === 'end') return;
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (!(error instanceof TypeError)) throw error;
    }
    await pause(options.retryMs ?? 1_000, options.signal);
  }
}

interface RawFrame {
  event: string;
  id?: number;
  data: unknown;
}

/** Server-sent events (the WHATWG format: `event:`, `id:`, `data:` lines, a blank line ends a frame). */
async function* parseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<RawFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let id: string | undefined;
  let data: string[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      newline = buffer.search(/\r\n|\r|\n/);
      if (line === '') {
        if (data.length > 0) {
          const frame: RawFrame = { event, data: JSON.parse(data.join('\n')) };
          if (id !== undefined && id !== '') frame.id = Number(id);
          yield frame;
        }
        event = 'message';
        id = undefined;
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
