import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateTmux, createTempDir, type PrivateTmux, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orchaCommand, type Ran, runOrcha, spawnOrcha } from './cli-process.js';
import { checkFrame, checkResponse, type Frame } from './contract.js';
import { api } from './harness.js';
import { type OrchaProcess, startOrcha } from './orcha-process.js';
import { eventually } from './until.js';

// The commands that bring the person in — `run --follow` (exit 3 on a question), `watch`, `answer` (with the
// picker in a real tmux pane) — against a real `orcha serve --auth`, reached with ORCHA_API_TOKEN. The demo's
// fake agents ask one question per objective (its rollout worker).
const token = 'cli-person-token-0123456789';
let dir: TempDir;
let outer: PrivateTmux;
let server: OrchaProcess;
let url = '';
let env: NodeJS.ProcessEnv = {};

const orcha = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runOrcha(args, { env: { ...env, ...extra } });
const authorized = (method: string, path: string, body?: unknown) =>
  api({ url }, method, path, body, { authorization: `Bearer ${token}` });
const parsed = (ran: Ran, code = 0) => {
  expect(ran.stderr).toBe('');
  expect(ran.code).toBe(code);
  return JSON.parse(ran.stdout);
};
const oneLine = (ran: Ran, code: number) => {
  expect(ran.code).toBe(code);
  expect(ran.stderr).toMatch(/^orcha: [^\n]+\n$/);
};
/** The open question of an objective, once its rollout worker asked it. */
const questionOf = (objectiveId: string) =>
  eventually(async () => {
    const { body } = await authorized('GET', `/api/questions?status=open&objectiveId=${objectiveId}`);
    return body.questions[0] as { id: string; options: string[] } | undefined;
  }, 30_000);

beforeAll(async () => {
  dir = await createTempDir('orcha-cli-person-');
  outer = createPrivateTmux('cli-person');
  server = await startOrcha([
    ...['--port', '0', '--data-dir', dir.path, '--auth', '--api-token', token],
    ...['--no-demo', '--schedule-interval', '200ms'],
  ]);
  url = server.url;
  env = { ORCHA_URL: url, ORCHA_API_TOKEN: token };
});
afterAll(async () => {
  await outer?.kill();
  server?.child.kill('SIGKILL');
  await server?.stop();
  await dir?.remove();
});

describe('orcha with the person in the loop', { timeout: 90_000 }, () => {
  let asked: { objectiveId: string; questionId: string } = { objectiveId: '', questionId: '' };

  it('needs ORCHA_API_TOKEN on a server started with --auth: without it, one line and exit 1', async () => {
    const [none, wrong, right] = await Promise.all([
      orcha(['ls', '--json'], { ORCHA_API_TOKEN: '' }),
      orcha(['questions', '--json'], { ORCHA_API_TOKEN: 'not-the-token-0123456789' }),
      orcha(['ls', '--json']),
    ]);
    for (const refused of [none, wrong]) {
      oneLine(refused, 1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('(unauthorized)');
    }
    await checkResponse('GET', '/api/dashboard', 200, parsed(right));
  });

  it('run --follow streams its objective until a worker asks the person, then exits 3; watch --json shows the feed live', async () => {
    const watch = spawnOrcha(['watch', '--json'], env);
    try {
      // On the live feed once it printed the feed's hello.
      await watch.line((line) => line.startsWith('{"event":"hello"'));
      const run = await orcha(['run', 'roll it out', '-p', 'ship it', '--agent', 'fake', '--follow']);
      expect(run.code, run.stderr).toBe(3);
      const question = /needs you: answer with `orcha answer (qst_\w+) "…"`\n$/.exec(run.stderr);
      expect(run.stderr.split('\n')).toHaveLength(2);
      expect(question).not.toBeNull();
      const lines = run.stdout.trim().split('\n');
      const created = /^(obj_\w+) roll it out · manager (ses_\w+)$/.exec(lines[0]!);
      expect(created, lines[0]).not.toBeNull();
      asked = { objectiveId: created![1]!, questionId: question![1]! };
      expect(lines).toContain(`objective-create ${asked.objectiveId}`);
      expect(lines.at(-1)).toMatch(new RegExp(`^question-open ses_\\w+ question ${asked.questionId}$`));

      // The same story on the feed, every frame as the document declares it.
      await watch.line((line) => line.includes('"question-open"') && line.includes(asked.questionId));
      const frames = watch.lines.map((line) => JSON.parse(line) as Frame);
      for (const frame of frames) await checkFrame('/api/events', frame);
      const mine = frames.filter(
        (frame) => (frame.data as { objectiveId?: string }).objectiveId === asked.objectiveId,
      );
      expect(mine[0]).toMatchObject({ event: 'objective-create' });
      expect(mine).toContainEqual(
        expect.objectContaining({
          event: 'question-open',
          data: expect.objectContaining({ questionId: asked.questionId }),
        }),
      );
    } finally {
      await watch.stop();
    }
  });

  it('watch redraws on a terminal; answer picks from the options in a real tmux pane, or takes the answer as an argument', async () => {
    // On a terminal, watch draws the tree and redraws it from the feed: a new objective shows up.
    const shell = `ORCHA_URL=${url} ORCHA_API_TOKEN=${token} ${orchaCommand.join(' ')}`;
    await outer.tmux(['new-session', '-d', '-s', 'watch', '-x', '200', '-y', '50', `${shell} watch`]);
    const watchShows = (text: string) =>
      eventually(
        async () => (await outer.tmux(['capture-pane', '-p', '-t', 'watch'])).stdout.includes(text) || null,
        30_000,
      );
    await watchShows(`${asked.objectiveId} active roll it out`);
    const other = await authorized('POST', '/api/objectives', {
      title: 'another',
      prompt: 'p',
      agent: 'fake',
    });
    expect(other.status).toBe(201);
    await watchShows(`${other.body.objective.id} active another`);
    await outer.tmux(['kill-session', '-t', 'watch']);

    // The picker: the question's options, numbered, in a terminal; typing 1 picks the first.
    const marker = join(dir.path, 'answer-exit');
    const command = `${shell} answer ${asked.questionId}; echo "exit=$?" > ${marker}; sleep 60`;
    expect(
      (await outer.tmux(['new-session', '-d', '-s', 'picker', '-x', '160', '-y', '30', command])).code,
    ).toBe(0);
    let screen = '';
    await eventually(async () => {
      screen = (await outer.tmux(['capture-pane', '-p', '-t', 'picker'])).stdout;
      return (screen.includes('1) feature flag') && screen.includes('\nanswer:')) || null;
    }, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\nthe pane shows:\n${screen}`);
    });
    await outer.tmux(['send-keys', '-t', 'picker', '1', 'Enter']);
    await eventually(
      async () => (await readFile(marker, 'utf8').catch(() => '')).trim() === 'exit=0' || null,
      30_000,
    );
    const { body } = await authorized('GET', `/api/questions?objectiveId=${asked.objectiveId}`);
    expect(body.questions).toContainEqual(
      expect.objectContaining({ id: asked.questionId, status: 'answered', answer: 'feature flag' }),
    );

    // Without a terminal the answer is an argument.
    const second = await questionOf(other.body.objective.id);
    const answered = parsed(await orcha(['answer', second.id, 'everyone at once', '--json']));
    await checkResponse('POST', `/api/questions/${second.id}/answer`, 200, answered);
    expect(answered.question).toMatchObject({ status: 'answered', answer: 'everyone at once' });
    const [again, bare] = await Promise.all([
      orcha(['answer', second.id, 'twice']),
      orcha(['answer', second.id]),
    ]);
    oneLine(again, 1);
    oneLine(bare, 2);
    expect(bare.stderr).toContain('orcha answer QUESTION "text"');
    const all = parsed(await orcha(['questions', '--json', '--all']));
    await checkResponse('GET', '/api/questions', 200, all);
    expect(all.questions.filter((q: { status: string }) => q.status === 'answered')).toHaveLength(2);
  });
});
