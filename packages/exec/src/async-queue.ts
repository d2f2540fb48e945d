/**
 * A single-consumer async queue of byte chunks fed by a push source (a pty, a socket). It holds only
 * what is unread (one reader at a time; a reader that stops early leaves the rest for the next): above `highWaterMark` bytes it asks the source to pause, and resumes it once the
 * reader has caught up, so a fast producer never makes us buffer its whole output.
 */
export class ChunkQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;
  private paused = false;

  constructor(
    private readonly flow: { pause(): void; resume(): void } | undefined,
    private readonly highWaterMark = 1 << 20,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.ended || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.flow && this.queuedBytes > this.highWaterMark) {
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

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      const chunk = this.chunks.shift();
      if (chunk) {
        this.queuedBytes -= chunk.length;
        if (this.paused && this.flow && this.queuedBytes <= this.highWaterMark / 2) {
          this.paused = false;
          this.flow.resume();
        }
        yield chunk;
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
