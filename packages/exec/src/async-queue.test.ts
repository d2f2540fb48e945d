import { describe, expect, it } from 'vitest';
import { AsyncQueue, chunkQueue } from './async-queue.js';

async function drain<T>(queue: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of queue) items.push(item);
  return items;
}

describe('AsyncQueue', () => {
  it('hands items over in order to a reader that waits, ends on end(), drops pushes after it', async () => {
    const queue = new AsyncQueue<number>();
    const read = drain(queue);
    queue.push(1, 2);
    await Promise.resolve();
    queue.push(3);
    queue.end();
    queue.push(4);
    expect(await read).toEqual([1, 2, 3]);
  });

  it('fails the reader with the end error after what was queued', async () => {
    const queue = new AsyncQueue<string>();
    queue.push('a');
    queue.end(new Error('boom'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const item of queue) seen.push(item);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual(['a']);
  });

  it('leaves what a reader did not take for the next reader', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1, 2, 3);
    queue.end();
    for await (const item of queue) {
      expect(item).toBe(1);
      break;
    }
    expect(await drain(queue)).toEqual([2, 3]);
  });

  it('pauses its flow above the high-water mark and resumes it at half, weighing chunks by length', async () => {
    const calls: string[] = [];
    const queue = chunkQueue({ pause: () => calls.push('pause'), resume: () => calls.push('resume') }, 10);
    queue.push(new Uint8Array(6));
    queue.push(new Uint8Array(0));
    expect(calls).toEqual([]);
    queue.push(new Uint8Array(6));
    expect(calls).toEqual(['pause']);
    queue.end();
    const chunks = await drain(queue);
    expect(chunks.map((chunk) => chunk.length)).toEqual([6, 6]);
    expect(calls).toEqual(['pause', 'resume']);
  });
});
