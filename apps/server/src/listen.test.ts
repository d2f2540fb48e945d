import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen } from './listen.js';

/** Sends one keep-alive request on `socket` and resolves with the response's bytes up to its body. */
function request(socket: Socket, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== 'open') return reject(new Error('the server closed the connection while idle'));
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.endsWith('posted')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('close', () =>
      reject(new Error(`the server closed the connection (after: ${text || 'nothing'})`)),
    );
    socket.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}`,
    );
  });
}

describe('listen', () => {
  it('keeps an idle keep-alive connection past the 6 s after which Node closes one by default', async () => {
    const server = await listen(() => new Response('posted'), '127.0.0.1', 0);
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      expect(await request(socket, port)).toMatch(/^HTTP\/1\.1 200/);
      // Idle longer than Node's default keep-alive timeout and its 1 s grace (a timeout is what is tested: no event to wait on).
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      expect(await request(socket, port)).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 20_000);
});
