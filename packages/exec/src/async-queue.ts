/** A source that can be asked to stop and start pushing (a pty, a socket, an SSH channel). */
export interface Flow {
  pause(): void;
  resume(): void;
}

export interface AsyncQueueOptions<T> {
  /** Asked to pause while more than `highWaterMark` is unread, and to resume once half of it was read. */
  flow?: Flow | undefined;
  highWaterMark?: number;
  /** How much an item weighs against `highWaterMark` (1 unless given); an item that weighs 0 is dropped. */
  sizeOf?: (item: T) => number;
}

/**
 * orcha's one async queue: ordered, single reader at a time (a reader that stops early leaves the rest for
 * the next), ending after `end()`, or failing the reader with `end(error)` once what was queued is read.
 * Pushes after the end are dropped. With a `flow` it holds only a bounded amount of unread items, so a fast
 * producer never makes us buffer its whole output. Process output (byte chunks) and an agent run's events
 * both go through it.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private queuedSize = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;
  private paused = false;
  private readonly flow: Flow | undefined;
  private readonly highWaterMark: number;
  private readonly sizeOf: (item: T) => number;

  constructor(options: AsyncQueueOptions<T> = {}) {
    this.flow = options.flow;
    this.highWaterMark = options.highWaterMark ?? 1 << 20;
    this.sizeOf = options.sizeOf ?? (() => 1);
  }

  push(...items: T[]): void {
    if (this.ended) return;
    for (const item of items) {
      const size = this.sizeOf(item);
      if (size === 0) continue;
      this.items.push(item);
      this.queuedSize += size;
    }
    if (!this.paused && this.flow && this.queuedSize > this.highWaterMark) {
      this.paused = true;
      this.flow.pause();
    }
    this.wake();
  }

  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      if (this.items.length > 0) {
        const item = this.items.shift() as T;
        this.queuedSize -= this.sizeOf(item);
        if (this.paused && this.flow && this.queuedSize <= this.highWaterMark / 2) {
          this.paused = false;
          this.flow.resume();
        }
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }
}

/** The queue of a process's output stream: byte chunks weighed by length, back-pressure on `flow`. */
export function chunkQueue(flow: Flow | undefined, highWaterMark?: number): AsyncQueue<Uint8Array> {
  return new AsyncQueue<Uint8Array>({
    flow,
    sizeOf: (chunk) => chunk.length,
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
  });
}
