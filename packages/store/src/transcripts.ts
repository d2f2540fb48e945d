import {
  type NewTranscriptMessage,
  OrchaError,
  type TranscriptMessage,
  transcriptKindSchema,
} from '@orcha/model';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseColumn, parseInput, type StoreContext } from './database.js';
import { sessions, transcriptMessages } from './schema.js';

const messagesInput = z
  .array(
    z.object({
      at: z.number().int().nonnegative(),
      kind: transcriptKindSchema,
      text: z.string().max(1_000_000),
      data: z.record(z.string(), z.unknown()).nullable(),
    }),
  )
  .min(1)
  .max(10_000);

const dataSchema = z.record(z.string(), z.unknown()).nullable();
const maxPage = 1_000;

export function transcriptQueries(ctx: StoreContext) {
  const page = ctx.db
    .select()
    .from(transcriptMessages)
    .where(
      and(
        eq(transcriptMessages.sessionId, sql.placeholder('sessionId')),
        gt(transcriptMessages.seq, sql.placeholder('after')),
      ),
    )
    .orderBy(asc(transcriptMessages.seq))
    .limit(sql.placeholder('limit'))
    .prepare();

  return {
    /**
     * Appends messages to a session's transcript in one transaction, numbering them after the last seq, and
     * announces them with one small `message-append` event (no content) once committed.
     */
    appendMessages(sessionId: string, messages: NewTranscriptMessage[]): { fromSeq: number; toSeq: number } {
      const data = parseInput(messagesInput, messages, 'transcript messages');
      return ctx.write((emit) => {
        const session = ctx.db
          .select({ objectiveId: sessions.objectiveId, count: sessions.messageCount })
          .from(sessions)
          .where(eq(sessions.id, sessionId))
          .get();
        if (!session) throw new OrchaError('not_found', `no session ${sessionId}`);
        const fromSeq = session.count + 1;
        const rows = data.map((message, index) => ({
          sessionId,
          seq: fromSeq + index,
          at: message.at,
          kind: message.kind,
          text: message.text,
          data: message.data === null ? null : JSON.stringify(message.data),
        }));
        for (let start = 0; start < rows.length; start += 500) {
          ctx.db
            .insert(transcriptMessages)
            .values(rows.slice(start, start + 500))
            .run();
        }
        const toSeq = fromSeq + rows.length - 1;
        const last = [...data]
          .reverse()
          .find((message) => message.text.trim() !== '' && message.kind !== 'tool_result');
        ctx.db
          .update(sessions)
          .set({
            messageCount: toSeq,
            updatedAt: ctx.clock(),
            ...(last ? { lastActivity: last.text.trim().split('\n').pop()!.slice(0, 200) } : {}),
          })
          .where(eq(sessions.id, sessionId))
          .run();
        emit({ type: 'message-append', objectiveId: session.objectiveId, sessionId, fromSeq, toSeq });
        return { fromSeq, toSeq };
      });
    },

    /** A page of messages after `after` (by seq), at most 1,000. */
    listMessages(
      sessionId: string,
      options: { after?: number | undefined; limit?: number | undefined } = {},
    ): TranscriptMessage[] {
      const after = Math.max(0, Math.floor(options.after ?? 0));
      const limit = Math.min(maxPage, Math.max(1, Math.floor(options.limit ?? 200)));
      return page.all({ sessionId, after, limit }).map((row) => ({
        ...row,
        kind: row.kind as TranscriptMessage['kind'],
        data: row.data === null ? null : parseColumn(dataSchema, row.data, 'message data'),
      }));
    },
  };
}
