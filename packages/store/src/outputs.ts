import { type Artifact, idSchema, type Note, OrchaError } from '@orcha/model';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput, type StoreContext } from './database.js';
import { artifacts, notes } from './schema.js';

const noteInput = z.object({
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullish(),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(200_000),
});
export type NewNote = z.input<typeof noteInput>;

const artifactInput = z.object({
  objectiveId: idSchema('objective'),
  sessionId: idSchema('session').nullish(),
  name: z.string().trim().min(1).max(200),
  mediaType: z.string().min(1).max(100),
  content: z.string().max(5_000_000),
});
export type NewArtifact = z.input<typeof artifactInput>;

type Filter = { objectiveId?: string | undefined; sessionId?: string | undefined };

/** Durable outputs of the work: notes and artifacts. */
export function outputQueries(ctx: StoreContext) {
  const where = (table: typeof notes | typeof artifacts, filter: Filter) => {
    const parts: SQL[] = [];
    if (filter.objectiveId) parts.push(eq(table.objectiveId, filter.objectiveId));
    if (filter.sessionId) parts.push(eq(table.sessionId, filter.sessionId));
    return parts.length ? and(...parts) : undefined;
  };
  return {
    createNote(input: z.input<typeof noteInput>): Note {
      const data = parseInput(noteInput, input, 'note');
      return ctx.write((emit) => {
        const note: Note = {
          id: ctx.ids('note'),
          objectiveId: data.objectiveId,
          sessionId: data.sessionId ?? null,
          title: data.title,
          body: data.body,
          createdAt: ctx.clock(),
        };
        ctx.db.insert(notes).values(note).run();
        emit({
          type: 'note-create',
          objectiveId: note.objectiveId,
          sessionId: note.sessionId,
          noteId: note.id,
        });
        return note;
      });
    },
    listNotes(filter: Filter = {}): Note[] {
      return ctx.db.select().from(notes).where(where(notes, filter)).orderBy(asc(notes.createdAt)).all();
    },
    createArtifact(input: z.input<typeof artifactInput>): Artifact {
      const data = parseInput(artifactInput, input, 'artifact');
      return ctx.write((emit) => {
        const artifact: Artifact = {
          id: ctx.ids('artifact'),
          ...data,
          sessionId: data.sessionId ?? null,
          createdAt: ctx.clock(),
        };
        ctx.db.insert(artifacts).values(artifact).run();
        emit({
          type: 'artifact-create',
          objectiveId: artifact.objectiveId,
          sessionId: artifact.sessionId,
          artifactId: artifact.id,
        });
        return artifact;
      });
    },
    getArtifact(id: string): Artifact {
      const row = ctx.db.select().from(artifacts).where(eq(artifacts.id, id)).get();
      if (!row) throw new OrchaError('not_found', `no artifact ${id}`);
      return row;
    },
    listArtifacts(filter: Filter = {}): Artifact[] {
      return ctx.db
        .select()
        .from(artifacts)
        .where(where(artifacts, filter))
        .orderBy(asc(artifacts.createdAt))
        .all();
    },
  };
}
