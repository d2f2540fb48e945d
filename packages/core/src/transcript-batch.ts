import type { NewTranscriptMessage } from '@orcha/model';
import type { Context } from './context.js';

const maxBatch = 200;

/**
 * Collects a run's transcript messages and writes them in batches: after `transcriptFlushMs`, at 200
 * messages, or when the driver flushes before a status change. A message is shown to anyone (SSE, API) only
 * after the transaction that wrote it committed.
 */
export class TranscriptBatch {
  private buffer: NewTranscriptMessage[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: Context,
    private readonly sessionId: string,
  ) {}

  add(message: Omit<NewTranscriptMessage, 'at' | 'data'> & { data?: NewTranscriptMessage['data'] }): void {
    this.buffer.push({ at: this.ctx.clock(), data: null, ...message });
    if (this.buffer.length >= maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.ctx.config.transcriptFlushMs);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return;
    const messages = this.buffer;
    this.buffer = [];
    try {
      this.ctx.store.appendMessages(this.sessionId, messages);
      this.ctx.probe?.('transcript-written');
    } catch (error) {
      this.ctx.log('error', 'could not write transcript', {
        sessionId: this.sessionId,
        error: String(error),
      });
    }
  }
}
