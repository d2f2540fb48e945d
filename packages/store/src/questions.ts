import {
  idSchema,
  OrchaError,
  type Question,
  type QuestionStatus,
  questionKindSchema,
  questionMachine,
} from '@orcha/model';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { inboxQueries } from './inbox.js';
import { toQuestion } from './rows.js';
import { questions } from './schema.js';
import { transcriptQueries } from './transcripts.js';

const openInput = z.object({
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullish(),
  kind: questionKindSchema,
  prompt: z.string().trim().min(1).max(20_000),
  options: z.array(z.string().min(1).max(200)).max(10).optional(),
});
export type NewQuestion = z.input<typeof openInput>;

export function questionQueries(ctx: StoreContext) {
  const inbox = inboxQueries(ctx);
  const transcripts = transcriptQueries(ctx);
  const get = (id: string): Question => {
    const row = ctx.db.select().from(questions).where(eq(questions.id, id)).get();
    if (!row) throw new OrchaError('not_found', `no question ${id}`);
    return toQuestion(row);
  };
  const close = (id: string, to: QuestionStatus, answer: string | null): Question =>
    ctx.write((emit) => {
      const current = get(id);
      questionMachine.assertTransition(current.status, to);
      const answeredAt = ctx.clock();
      ctx.db.update(questions).set({ status: to, answer, answeredAt }).where(eq(questions.id, id)).run();
      emit({
        type: 'question-status-change',
        objectiveId: current.objectiveId,
        sessionId: current.sessionId,
        questionId: id,
        to,
      });
      return { ...current, status: to, answer, answeredAt };
    });

  return {
    getQuestion: get,
    openQuestion(input: z.input<typeof openInput>): Question {
      const data = parseInput(openInput, input, 'question');
      return ctx.write((emit) => {
        const question: Question = {
          id: ctx.ids('question'),
          objectiveId: data.objectiveId,
          sessionId: data.sessionId ?? null,
          kind: data.kind,
          prompt: data.prompt,
          options: data.options ?? [],
          status: 'open',
          answer: null,
          createdAt: ctx.clock(),
          answeredAt: null,
        };
        ctx.db
          .insert(questions)
          .values({ ...question, options: JSON.stringify(question.options) })
          .run();
        emit({
          type: 'question-open',
          objectiveId: question.objectiveId,
          sessionId: question.sessionId,
          questionId: question.id,
          kind: question.kind,
        });
        return question;
      });
    },
    answerQuestion(id: string, answer: string, message?: { sessionId: string; text: string }): Question {
      const text = parseInput(z.string().trim().min(1).max(20_000), answer, 'answer');
      return ctx.write(() => {
        const answered = close(id, 'answered', text);
        if (message) {
          // The answer and the message that carries it to whoever waits: one transaction, so a crash
          // between them cannot leave an answered question that nobody was told about.
          transcripts.appendMessages(message.sessionId, [
            { at: ctx.clock(), kind: 'user', text: message.text, data: { origin: 'user' } },
          ]);
          inbox.queueInput(message.sessionId, message.text);
        }
        return answered;
      });
    },
    withdrawQuestion(id: string): Question {
      return close(id, 'withdrawn', null);
    },
    listQuestions(
      filter: {
        status?: QuestionStatus | undefined;
        objectiveId?: string | undefined;
        sessionId?: string | undefined;
      } = {},
    ): Question[] {
      const where: SQL[] = [];
      if (filter.status) where.push(eq(questions.status, filter.status));
      if (filter.objectiveId) where.push(eq(questions.objectiveId, filter.objectiveId));
      if (filter.sessionId) where.push(eq(questions.sessionId, filter.sessionId));
      return ctx.db
        .select()
        .from(questions)
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(questions.createdAt), asc(questions.id))
        .all()
        .map(toQuestion);
    },
  };
}
