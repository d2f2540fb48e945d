import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedRequest {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether `X-Orcha-Signature` is `sha256=` + the hex HMAC-SHA256 of the exact body with the secret. */
  signatureValid: boolean;
  /** The status the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** Answer the next `count` requests with HTTP 503 (a receiver having a bad moment). */
  failNext(count: number): void;
  /** Resolves with the first request (already received or still to come) that `match` accepts. */
  waitFor(match: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on loopback that checks orcha's webhook signature the way a user's receiver would
 * (constant-time compare). `port` 0 picks a free one; give a fixed port to bring a receiver back.
 */
export async function startWebhookReceiver(options: {
  secret: string;
  port?: number;
}): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const arrivals = new EventEmitter();
  let failures = 0;
  const verify = (body: string, header: string | string[] | undefined) => {
    if (typeof header !== 'string') return false;
    const expected = Buffer.from(`sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`);
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signatureValid = verify(body, request.headers['x-orcha-signature']);
      const status = failures > 0 ? 503 : signatureValid ? 204 : 401;
      if (failures > 0) failures--;
      const entry = {
        at: Date.now(),
        path: request.url ?? '/',
        headers: request.headers,
        body,
        signatureValid,
        status,
      };
      received.push(entry);
      response.writeHead(status).end();
      arrivals.emit('request', entry);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    failNext(count) {
      failures = count;
    },
    waitFor(match, timeoutMs = 15_000) {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          arrivals.off('request', listener);
          reject(
            new Error(`no matching webhook request within ${timeoutMs} ms (${received.length} received)`),
          );
        }, timeoutMs);
        const listener = (entry: ReceivedRequest) => {
          if (!match(entry)) return;
          clearTimeout(timer);
          arrivals.off('request', listener);
          resolve(entry);
        };
        arrivals.on('request', listener);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
