import {
  type NewTranscriptMessage,
  OrchaError,
  type TranscriptMessage,
  transcriptKindSchema,
} from '@orcha/model';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseColumn, parseInput, type StoreContext } from './database.js';
import { transcriptMessages } from './schema.js';

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

/**
 * The session's activity line after a batch: the last line of its last message with text that is not a tool
 * result, at most 200 characters; undefined when the batch has no such message (the line stays as it was).
 */
function lastActivityOf(messages: readonly { kind: string; text: string }[]): string | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.kind === 'tool_result') continue;
    const text = message.text.trim();
    if (text !== '') return text.slice(text.lastIndexOf('\n') + 1).slice(0, 200);
  }
  return undefined;
}

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
  // Ingest is the hot write path: plain prepared statements, one row at a time inside the one transaction.
  const sessionHead = ctx.sqlite.prepare(
    'SELECT objective_id AS objectiveId, message_count AS count FROM sessions WHERE id = ?',
  );
  const insertMessage = ctx.sqlite.prepare(
    'INSERT INTO transcript_messages (session_id, seq, at, kind, text, data) VALUES (?, ?, ?, ?, ?, ?)',
  );
  // On PostgreSQL every statement is a round trip to the server: the batch goes as one insert of a JSON array.
  const insertBatch =
    ctx.dialect === 'postgres'
      ? ctx.sqlite.prepare(
          `INSERT INTO transcript_messages (session_id, seq, at, kind, text, data)
           SELECT ?, m.seq, m.at, m.kind, m.text, m.data
             FROM json_to_recordset(?::json) AS m(seq bigint, at bigint, kind text, text text, data text)`,
        )
      : null;
  const updateCount = ctx.sqlite.prepare(
    'UPDATE sessions SET message_count = ?, updated_at = ? WHERE id = ?',
  );
  const updateCountAndActivity = ctx.sqlite.prepare(
    'UPDATE sessions SET message_count = ?, updated_at = ?, last_activity = ? WHERE id = ?',
  );

  return {
    /**
     * Appends messages to a session's transcript in one transaction, numbering them after the last seq, and
     * announces them with one small `message-append` event (no content) once committed.
     */
    appendMessages(sessionId: string, messages: NewTranscriptMessage[]): { fromSeq: number; toSeq: number } {
      const data = parseInput(messagesInput, messages, 'transcript messages');
      return ctx.write((emit) => {
        const session = sessionHead.get(sessionId) as { objectiveId: string; count: number } | undefined;
        if (!session) throw new OrchaError('not_found', `no session ${sessionId}`);
        const fromSeq = session.count + 1;
        if (insertBatch) {
          const rows = data.map((message, index) => ({
            seq: fromSeq + index,
            at: message.at,
            kind: message.kind,
            text: message.text,
            data: message.data === null ? null : JSON.stringify(message.data),
          }));
          insertBatch.run(sessionId, JSON.stringify(rows));
        } else
          for (let index = 0; index < data.length; index++) {
            const message = data[index]!;
            insertMessage.run(
              sessionId,
              fromSeq + index,
              message.at,
              message.kind,
              message.text,
              message.data === null ? null : JSON.stringify(message.data),
            );
          }
        const toSeq = fromSeq + data.length - 1;
        const activity = lastActivityOf(data);
        if (activity === undefined) updateCount.run(toSeq, ctx.clock(), sessionId);
        else updateCountAndActivity.run(toSeq, ctx.clock(), activity, sessionId);
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
