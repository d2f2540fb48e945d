import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

const nullBody = new Set([101, 204, 205, 304]);

/**
 * `fetch` over node:http for the CLI. Node's own fetch loads and compiles its HTTP client on first use,
 * which costs a short-lived command more than the request itself; this one answers the same Request →
 * Response contract (streaming bodies included, so SSE works) for http(s) URLs. A request that cannot be
 * made rejects with a TypeError, as fetch does.
 */
export async function nodeFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const url = new URL(request.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    if (body) headers['content-length'] = String(body.length);
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = make(url, { method: request.method, headers }, (incoming) => {
      const status = incoming.statusCode ?? 500;
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (Array.isArray(value)) for (const each of value) responseHeaders.append(key, each);
        else if (value !== undefined) responseHeaders.set(key, value);
      }
      const stream = nullBody.has(status) ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
      if (!stream) incoming.resume();
      resolve(
        new Response(stream, { status, statusText: incoming.statusMessage ?? '', headers: responseHeaders }),
      );
    });
    outgoing.on('error', (error) => reject(new TypeError(`fetch failed: ${error.message}`)));
    const signal = request.signal;
    if (signal) {
      if (signal.aborted) outgoing.destroy(abortError());
      signal.addEventListener('abort', () => outgoing.destroy(abortError()), { once: true });
    }
    outgoing.end(body);
  });
}

function abortError(): Error {
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}
