// Kill -9 at every step boundary of an objective's life, restarting on the same data dir each time. One
// objective of the offline demo walks through every crash point in order: each run of `orcha serve` is armed
// with the next point (ORCHA_TEST_CRASH_AT), kills itself exactly there, and the next run starts from what
// the crash left. Between runs the database is read (no orcha running) and checked: terminal statuses stay,
// no transcript row or accepted message is lost, slots are held only by running sessions, and the restart
// found every session that held one and resumed it or ran it again. Used by the crash-point test and
// `pnpm bench crash`.
import { type CrashPoint, crashPoints } from '@orcha/core';
import { createIdGenerator, type SessionStatus, sessionMachine } from '@orcha/model';
import { createStore } from '@orcha/store';
import { type LaunchedOrcha, launchOrcha } from './orcha-process.js';
import { eventually } from './until.js';

export interface CrashRun {
  point: CrashPoint;
  /** From the start of the run to its death. */
  ms: number;
  /** What did not hold after this crash; empty when the crash point is clean. */
  problems: string[];
}

export interface CrashChain {
  runs: CrashRun[];
  /** What did not hold at the end, after the last, unarmed run finished the objective. */
  finalProblems: string[];
}

/** What a crash left, read from the database while no orcha runs. */
export interface Picture {
  sessions: Map<string, { status: SessionStatus; role: string; objectiveActive: boolean }>;
  /** Every transcript row, `sessionId#seq` → kind and text. */
  transcript: Map<string, string>;
  /** Messages in each session's inbox. */
  inbox: Map<string, { text: string; handed: boolean }[]>;
  slotsHeld: number;
  objectiveStatus: string | null;
  openQuestions: number;
}

export function picture(dataDir: string): Picture {
  const store = createStore({
    path: `${dataDir}/orcha.db`,
    clock: Date.now,
    ids: createIdGenerator(Date.now, () => 7),
  });
  try {
    const sessions: Picture['sessions'] = new Map();
    const transcript = new Map<string, string>();
    const inbox: Picture['inbox'] = new Map();
    for (const session of store.listSessions({})) {
      const objectiveActive = store.getObjective(session.objectiveId).status === 'active';
      sessions.set(session.id, { status: session.status, role: session.role, objectiveActive });
      for (let after = 0; ; ) {
        const page = store.listMessages(session.id, { after, limit: 1_000 });
        for (const message of page)
          transcript.set(`${session.id}#${message.seq}`, `${message.kind}:${message.text}`);
        if (page.length < 1_000) break;
        after = page.at(-1)!.seq;
      }
      inbox.set(session.id, store.listInput(session.id));
    }
    return {
      sessions,
      transcript,
      inbox,
      slotsHeld: Object.values(store.targetLoad()).reduce((sum, n) => sum + n, 0),
      objectiveStatus: store.listObjectives()[0]?.status ?? null,
      openQuestions: store.listQuestions({ status: 'open' }).length,
    };
  } finally {
    store.close();
  }
}

const holdsSlot = (status: SessionStatus) => status === 'starting' || status === 'running';

/** The counts a restarted orcha logged when it reconciled what the crash left. */
function reconciled(stderr: string): Record<string, number> | null {
  const line = stderr.split('\n').find((l) => l.includes('reconciled sessions after restart'));
  return line ? (JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>) : null;
}

/** What must carry over from the picture before a run to the one after it. */
export function carriedOver(before: Picture, after: Picture, stderr: string): string[] {
  const problems: string[] = [];
  for (const [id, was] of before.sessions) {
    const now = after.sessions.get(id)?.status;
    if (sessionMachine.isTerminal(was.status) && now !== was.status)
      problems.push(`${id} left its terminal status ${was.status} for ${now}`);
  }
  for (const [key, text] of before.transcript)
    if (after.transcript.get(key) !== text) problems.push(`transcript row ${key} lost or changed`);
  const rows = (picture: Picture, id: string) =>
    [...picture.transcript.keys()].filter((key) => key.startsWith(`${id}#`)).length;
  for (const [id, messages] of before.inbox) {
    const now = after.inbox.get(id) ?? [];
    // Taken by a run that went on (its transcript grew), or the session ended (its inbox with it).
    const consumed =
      rows(after, id) > rows(before, id) || sessionMachine.isTerminal(after.sessions.get(id)!.status);
    for (const message of messages)
      if (!consumed && !now.some((m) => m.text === message.text))
        problems.push(`message "${message.text.slice(0, 60)}" to ${id} lost`);
  }
  // Nothing ran without a process: the restart found every session that held a slot and resumed it or ran it
  // again (nothing here needs failing).
  const held = [...before.sessions.values()].filter((s) => s.objectiveActive && holdsSlot(s.status)).length;
  const counts = reconciled(stderr);
  if (held > 0 || counts) {
    const recovered = counts ? counts.resumed! + counts.restarted! + counts.reattached! : 0;
    if (recovered !== held || counts?.failed)
      problems.push(`${held} sessions held slots; the restart reconciled ${JSON.stringify(counts)}`);
  }
  return problems;
}

/** At a kill: slots are held only by sessions in the running states. */
export function slotsTruthful(picture: Picture): string[] {
  const running = [...picture.sessions.values()].filter((s) => holdsSlot(s.status)).length;
  return picture.slotsHeld === running
    ? []
    : [`${picture.slotsHeld} slots held by ${running} running sessions`];
}

/** Waits for an armed run to kill itself; one that never reaches its point is killed and reported. */
async function death(orcha: LaunchedOrcha, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      orcha.child.kill('SIGKILL');
      resolve(null);
    }, timeoutMs);
  });
  try {
    const exit = await Promise.race([orcha.exited, timeout]);
    if (exit === null) await orcha.exited;
    return exit;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the chain on an empty data dir: one armed run per crash point, then an unarmed run that must finish
 * the objective. Throws only when the chain cannot go on (a run never reached its point).
 */
export async function runCrashChain(options: {
  dataDir: string;
  /** Per armed run (default 90 s). */
  runTimeoutMs?: number;
}): Promise<CrashChain> {
  const { dataDir, runTimeoutMs = 90_000 } = options;
  // The first run (objective-written, which serves before it dies) picks a free port itself; every later
  // run takes the same one.
  let port = 0;
  const api = (path: string) => `http://127.0.0.1:${port}${path}`;
  const run = (point: CrashPoint | null) => {
    const args = ['--port', String(port), '--data-dir', dataDir, '--no-demo', '--schedule-interval', '200ms'];
    return launchOrcha(args, { ...process.env, ORCHA_TEST_CRASH_AT: point ?? '' });
  };
  const runs: CrashRun[] = [];
  let before = picture(dataDir);
  for (const point of crashPoints) {
    const started = Date.now();
    const orcha = run(point);
    try {
      if (point === 'objective-written') {
        port = await orcha.serving;
        // The crash comes before the API answers: the request fails, the objective is written.
        const answered = await fetch(api('/api/objectives'), {
          method: 'POST',
          body: JSON.stringify({ title: 'survive every crash', prompt: 'keep going', agent: 'fake' }),
        }).then(
          () => true,
          () => false,
        );
        if (answered) throw new Error('the API answered POST /api/objectives: no crash before the answer');
      } else if (point === 'question-answered') {
        port = await orcha.serving;
        const question = await eventually(async () => {
          const response = await fetch(api('/api/questions?status=open')).catch(() => null);
          if (!response?.ok) return null;
          const { questions } = (await response.json()) as { questions: { id: string }[] };
          return questions[0] ?? null;
        }, 60_000);
        await fetch(api(`/api/questions/${question.id}/answer`), {
          method: 'POST',
          body: JSON.stringify({ answer: 'feature flag' }),
        }).catch(() => null);
      }
    } catch (error) {
      orcha.child.kill('SIGKILL');
      await orcha.exited;
      throw new Error(`at crash point ${point}: ${error}\n${orcha.stderr()}`);
    }
    const exit = await death(orcha, runTimeoutMs);
    if (!orcha.stderr().includes(`crash point ${point} reached`) || exit?.signal !== 'SIGKILL')
      throw new Error(`crash point ${point} not reached (${JSON.stringify(exit)}):\n${orcha.stderr()}`);
    const after = picture(dataDir);
    const problems = [...carriedOver(before, after, orcha.stderr()), ...slotsTruthful(after)];
    if (after.objectiveStatus === null) problems.push('no objective written');
    runs.push({ point, ms: Date.now() - started, problems });
    before = after;
  }

  // The last run is not armed: it finishes what the last crash (mark_objective_done) left.
  const last = run(null);
  const finalProblems: string[] = [];
  try {
    port = await last.serving;
    await eventually(async () => {
      const { objectives } = (await (await fetch(api('/api/objectives'))).json()) as {
        objectives: { status: string }[];
      };
      return objectives[0]?.status === 'done';
    }, 60_000).catch(() => finalProblems.push('the objective did not end done'));
    await eventually(async () => {
      const { sessions } = (await (await fetch(api('/api/sessions'))).json()) as {
        sessions: { status: SessionStatus }[];
      };
      return sessions.every((s) => sessionMachine.isTerminal(s.status));
    }, 30_000).catch(() => finalProblems.push('sessions still going after the objective ended'));
  } finally {
    last.child.kill('SIGTERM');
    await last.exited;
  }
  const end = picture(dataDir);
  finalProblems.push(...carriedOver(before, end, last.stderr()));
  const roles = [...end.sessions.values()].map((s) => `${s.role}:${s.status}`).sort();
  const expected = ['manager:completed', 'worker:completed', 'worker:completed', 'worker:completed'];
  if (JSON.stringify(roles) !== JSON.stringify(expected))
    finalProblems.push(`sessions ended ${roles.join(', ')}`);
  if (end.slotsHeld !== 0) finalProblems.push(`${end.slotsHeld} slots still held`);
  if (end.openQuestions !== 0) finalProblems.push(`${end.openQuestions} questions still open`);
  const left = [...end.inbox.values()].flat();
  if (left.length) finalProblems.push(`${left.length} messages left in inboxes`);
  return { runs, finalProblems };
}
