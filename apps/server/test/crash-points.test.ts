// Kill -9 at every step boundary of an objective's life, restart on the same data dir, and check that every
// session is truthful and the objective moves again. One objective walks through every crash point in
// order: each run of `orcha serve` is armed with the next point (ORCHA_TEST_CRASH_AT), kills itself exactly
// there, and the next run starts from what the crash left. Deterministic: every boundary, every run.
import { type CrashPoint, crashPoints } from '@orcha/core';
import { createIdGenerator, type SessionStatus, sessionMachine } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type LaunchedOrcha, launchOrcha } from './orcha-process.js';
import { eventually } from './until.js';

let dir: TempDir;
let port = 0;
let orcha: LaunchedOrcha | null = null;

beforeAll(async () => {
  dir = await createTempDir('orcha-crash-points-');
  port = await freePort();
});
afterAll(async () => {
  orcha?.child.kill('SIGKILL');
  await orcha?.exited;
  await dir.remove();
});

const api = (path: string) => `http://127.0.0.1:${port}${path}`;

/** Runs orcha armed with `point` (or unarmed); `act` does what makes it reach the point, if it needs help. */
function run(point: CrashPoint | null): LaunchedOrcha {
  const args = ['--port', String(port), '--data-dir', dir.path, '--no-demo', '--schedule-interval', '200ms'];
  const env: NodeJS.ProcessEnv = { ...process.env, ORCHA_TEST_CRASH_AT: point ?? '' };
  orcha = launchOrcha(args, env);
  return orcha;
}

/** What a crash left, read from the database while no orcha runs. */
interface Picture {
  sessions: Map<string, { status: SessionStatus; role: string; objectiveActive: boolean }>;
  /** Every transcript row, `sessionId#seq` → kind and text. */
  transcript: Map<string, string>;
  /** Messages in each session's inbox. */
  inbox: Map<string, { text: string; handed: boolean }[]>;
  slotsHeld: number;
  objectiveStatus: string | null;
  openQuestions: number;
}

function picture(): Picture {
  const store: Store = createStore({
    path: `${dir.path}/orcha.db`,
    clock: Date.now,
    ids: createIdGenerator(Date.now, () => 7),
  });
  try {
    const sessions = new Map<string, { status: SessionStatus; role: string; objectiveActive: boolean }>();
    const transcript = new Map<string, string>();
    const inbox = new Map<string, { text: string; handed: boolean }[]>();
    for (const session of store.listSessions({})) {
      const objectiveActive = store.getObjective(session.objectiveId).status === 'active';
      sessions.set(session.id, { status: session.status, role: session.role, objectiveActive });
      for (let after = 0; ; ) {
        const page = store.listMessages(session.id, { after, limit: 1_000 });
        for (const message of page) transcript.set(`${session.id}#${message.seq}`, `${message.kind}:${message.text}`);
        if (page.length < 1_000) break;
        after = page.at(-1)!.seq;
      }
      inbox.set(session.id, store.listInput(session.id));
    }
    const objective = store.listObjectives()[0] ?? null;
    return {
      sessions,
      transcript,
      inbox,
      slotsHeld: Object.values(store.targetLoad()).reduce((sum, n) => sum + n, 0),
      objectiveStatus: objective?.status ?? null,
      openQuestions: store.listQuestions({ status: 'open' }).length,
    };
  } finally {
    store.close();
  }
}

/** The counts the restarted orcha logged when it reconciled what the crash left. */
function reconciled(stderr: string): Record<string, number> | null {
  const line = stderr.split('\n').find((l) => l.includes('reconciled sessions after restart'));
  return line ? (JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>) : null;
}

/** Waits for an armed run to kill itself; one that never reaches its point fails the test with its log. */
async function ended(orcha: LaunchedOrcha, point: string) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      orcha.child.kill('SIGKILL');
      reject(new Error(`crash point ${point} not reached within 90 s:\n${orcha.stderr()}`));
    }, 90_000);
  });
  try {
    return await Promise.race([orcha.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const active = (status: SessionStatus) => status === 'starting' || status === 'running';

/** Checks what must hold between the picture before a run and the one after it. */
function checkCarriedOver(before: Picture, after: Picture, stderr: string, point: string): void {
  const where = `after the crash at ${point}`;
  // Terminal statuses are final.
  for (const [id, was] of before.sessions) {
    if (sessionMachine.isTerminal(was.status))
      expect(after.sessions.get(id)?.status, `${where}: ${id} left ${was.status}`).toBe(was.status);
  }
  // No transcript row lost or changed.
  for (const [key, text] of before.transcript)
    expect(after.transcript.get(key), `${where}: transcript row ${key} lost`).toBe(text);
  // Every accepted message is still in its inbox or was taken by a run that then went on.
  for (const [id, messages] of before.inbox) {
    const now = after.inbox.get(id) ?? [];
    const grew = [...after.transcript.keys()].filter((key) => key.startsWith(`${id}#`)).length >
      [...before.transcript.keys()].filter((key) => key.startsWith(`${id}#`)).length;
    for (const message of messages) {
      const kept = now.some((m) => m.text === message.text);
      const ended = sessionMachine.isTerminal(after.sessions.get(id)!.status);
      expect(kept || grew || ended, `${where}: input "${message.text.slice(0, 60)}" of ${id} lost`).toBe(true);
    }
  }
  // Nothing was running without a process: the restart found each session that held a slot and resumed it
  // or ran it again (none needed failing here), and slots are held only by sessions that run.
  const held = [...before.sessions.values()].filter((s) => s.objectiveActive && active(s.status)).length;
  const counts = reconciled(stderr);
  if (held > 0 || counts) {
    expect(counts, `${where}: nothing reconciled`).not.toBeNull();
    expect(counts!.resumed + counts!.restarted + counts!.reattached, `${where}: ${JSON.stringify(counts)}`).toBe(
      held,
    );
    expect(counts!.failed, `${where}: ${JSON.stringify(counts)}`).toBe(0);
  }
}

/** Slots are held only by sessions in the running states, at every kill. */
function checkSlots(picture: Picture, point: string): void {
  const running = [...picture.sessions.values()].filter((s) => active(s.status)).length;
  expect(picture.slotsHeld, `slots held at ${point}`).toBe(running);
}

describe('a crash at every step boundary', () => {
  it('restarts on the same data dir with every session truthful, and the objective ends', {
    timeout: 420_000,
  }, async () => {
    let before = picture();
    const reached: string[] = [];
    for (const point of crashPoints) {
      const started = Date.now();
      const orcha = run(point);
      if (point === 'objective-written') {
        await orcha.serving;
        // The crash comes before the API answers: the request fails, the objective is written.
        await expect(
          fetch(api('/api/objectives'), {
            method: 'POST',
            body: JSON.stringify({ title: 'survive every crash', prompt: 'keep going', agent: 'fake' }),
          }),
        ).rejects.toThrow();
      } else if (point === 'question-answered') {
        await orcha.serving;
        const question = await eventually(async () => {
          const response = await fetch(api('/api/questions?status=open')).catch(() => null);
          if (!response?.ok) return null;
          const { questions } = (await response.json()) as { questions: { id: string; status: string }[] };
          return questions.find((q) => q.status === 'open') ?? null;
        }, 60_000);
        await expect(
          fetch(api(`/api/questions/${question.id}/answer`), {
            method: 'POST',
            body: JSON.stringify({ answer: 'feature flag' }),
          }),
        ).rejects.toThrow();
      }
      const exit = await ended(orcha, point);
      expect(exit.signal, `orcha armed with ${point} ended by itself:\n${orcha.stderr()}`).toBe('SIGKILL');
      expect(orcha.stderr()).toContain(`crash point ${point} reached`);
      reached.push(`${point} ${Date.now() - started}ms`);
      const after = picture();
      checkCarriedOver(before, after, orcha.stderr(), point);
      checkSlots(after, point);
      expect(after.objectiveStatus, `after the crash at ${point}`).not.toBeNull();
      before = after;
    }
    expect(reached).toHaveLength(crashPoints.length);

    // The last run is not armed: it finishes what the last crash (mark_objective_done) left.
    const last = run(null);
    await last.serving;
    await eventually(async () => {
      const response = await fetch(api('/api/objectives'));
      const { objectives } = (await response.json()) as { objectives: { status: string }[] };
      return objectives[0]?.status === 'done' ? true : null;
    }, 60_000);
    const sessions = await eventually(async () => {
      const { sessions } = (await (await fetch(api('/api/sessions'))).json()) as {
        sessions: { role: string; status: string }[];
      };
      return sessions.every((s) => sessionMachine.isTerminal(s.status as SessionStatus)) ? sessions : null;
    }, 30_000);
    last.child.kill('SIGTERM');
    await last.exited;
    const end = picture();
    checkCarriedOver(before, end, last.stderr(), 'mark_objective_done (final run)');
    expect(sessions.map((s) => `${s.role}:${s.status}`).sort()).toEqual([
      'manager:completed',
      'worker:completed',
      'worker:completed',
      'worker:completed',
    ]);
    expect(end.slotsHeld).toBe(0);
    expect(end.openQuestions).toBe(0);
    expect([...end.inbox.values()].flat()).toEqual([]);
    console.log(`crash points reached: ${reached.join(', ')}`);
  });
});
