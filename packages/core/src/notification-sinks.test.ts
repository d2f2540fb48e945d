import { createServer } from 'node:http';
import type { Notification } from '@orcha/store';
import { startWebhookReceiver } from '@orcha/testkit';
import { describe, expect, it } from 'vitest';
import { createNtfySink, createWebhookSink, signBody } from './notification-sinks.js';

const notification: Notification = {
  id: 3,
  key: 'orcha-event-42',
  eventId: 42,
  at: Date.UTC(2026, 0, 2, 3, 4, 5),
  kind: 'question.ask_user',
  title: 'orcha needs you: café migration',
  body: 'Which database should the worker use?',
  objectiveId: 'obj_1',
};

describe('the webhook sink', () => {
  it('posts signed JSON with an idempotency key that a real receiver verifies', async () => {
    const receiver = await startWebhookReceiver({ secret: 's3cret' });
    try {
      const sink = createWebhookSink({ name: 'webhook', url: receiver.url, secret: 's3cret' });
      await sink.send(notification, AbortSignal.timeout(5_000));
      const [request] = receiver.received;
      expect(request!.signatureValid).toBe(true);
      expect(request!.headers['x-orcha-signature']).toBe(signBody(request!.body, 's3cret'));
      expect(request!.headers['idempotency-key']).toBe('orcha-event-42');
      expect(request!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request!.body)).toEqual({
        id: 'orcha-event-42',
        kind: 'question.ask_user',
        title: 'orcha needs you: café migration',
        body: 'Which database should the worker use?',
        objectiveId: 'obj_1',
        eventId: 42,
        at: '2026-01-02T03:04:05.000Z',
      });

      // A receiver with another secret refuses it, and the sink says so.
      const wrong = createWebhookSink({ name: 'webhook', url: receiver.url, secret: 'other' });
      await expect(wrong.send(notification, AbortSignal.timeout(5_000))).rejects.toThrow(/HTTP 401/);
      expect(receiver.received[1]!.signatureValid).toBe(false);
      receiver.failNext(1);
      await expect(sink.send(notification, AbortSignal.timeout(5_000))).rejects.toThrow(/HTTP 503/);
    } finally {
      await receiver.close();
    }
    // A receiver that is down: the error says why, not only that fetch failed.
    const down = createWebhookSink({ name: 'webhook', url: receiver.url, secret: 's3cret' });
    await expect(down.send(notification, AbortSignal.timeout(5_000))).rejects.toThrow(
      /^127\.0\.0\.1:\d+: (?!fetch failed)\S/,
    );
  });
});

describe('the ntfy sink', () => {
  it('posts the text to the topic with Title (encoded when not ASCII), Tags and the token', async () => {
    const requests: { headers: Record<string, unknown>; body: string; url: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        requests.push({ headers: request.headers, body, url: request.url ?? '' });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const sink = createNtfySink({
        name: 'ntfy',
        url: `http://127.0.0.1:${port}/orcha-alerts`,
        token: 'tk_1',
      });
      await sink.send(notification, AbortSignal.timeout(5_000));
      const [request] = requests;
      expect(request!.url).toBe('/orcha-alerts');
      expect(request!.body).toBe('Which database should the worker use?');
      const title = String(request!.headers.title);
      expect(title).toMatch(/^=\?UTF-8\?B\?.+\?=$/);
      expect(Buffer.from(title.slice(10, -2), 'base64').toString('utf8')).toBe(notification.title);
      expect(request!.headers.tags).toBe('question,question_ask_user');
      expect(request!.headers.priority).toBe('high');
      expect(request!.headers.authorization).toBe('Bearer tk_1');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
