import type { LoopbackSshd, ResponsesReply } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import {
  type CodexOnSsh,
  groupAlive,
  lostOrResumed,
  spooledGroups,
  spooledOutput,
  startCodexOnSsh,
  transcriptTexts,
} from './remote-cli-agents.js';
import type { RemoteHarness } from './remote-harness.js';

// The real `codex` CLI as a headless worker on an SSH target whose connection drops mid-turn: `codex exec`
// runs detached from the connection there, and orcha reads its spooled JSON lines on from the last byte
// once the machine answers again.

let rig: CodexOnSsh;
let sshd: LoopbackSshd;
let harness: RemoteHarness;
/**
 * The model's answer to the worker waits for this: the connection drops while codex waits for its model, and
 * the answer comes while the machine is away.
 */
let releaseAnswer: () => void = () => {};
const answerHeld = new Promise<void>((resolve) => {
  releaseAnswer = resolve;
});
let asked = false;

const lines = ['answer-line-1', 'answer-line-2', 'answer-line-3'];
const say = (...texts: string[]): ResponsesReply => ({
  kind: 'output',
  items: texts.map((text) => ({ type: 'message', text })),
});

beforeAll(async () => {
  rig = await startCodexOnSsh(async (request) => {
    if (!request.lastUserText?.includes('say through-the-drop')) return say('ok');
    asked = true;
    await answerHeld;
    return say(...lines);
  }, 30_000);
  ({ sshd, harness } = rig);
});

afterAll(async () => {
  releaseAnswer();
  await rig?.close();
});

describe('codex as a headless worker on an SSH target whose connection drops', () => {
  it('finishes its turn through the drop: the transcript is whole and nothing is resumed or restarted', async () => {
    const plan = { spawn: [{ title: 'codex worker', prompt: 'say through-the-drop', agent: 'codex' }] };
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'codex through the drop',
      prompt: JSON.stringify(plan),
      agent: 'fake',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const worker = await harness.until(
      () => harness.store.listSessions({ objectiveId }).find((session) => session.agent === 'codex'),
      30_000,
    );
    await harness.until(() => asked, 60_000);
    const [group] = spooledGroups(sshd, worker.id);
    expect(group).toBeGreaterThan(1);

    // The machine drops off while codex waits for its model; codex lives on there, and writes its answer
    // to the spool while orcha cannot read it.
    await sshd.down();
    await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
    expect(groupAlive(group!)).toBe(true);
    releaseAnswer();
    await harness.until(() => spooledOutput(sshd, worker.id).includes(lines.at(-1)!), 30_000);
    expect(transcriptTexts(harness, worker.id)).toEqual([]);
    await sshd.up();

    await harness.until(() => harness.store.getSession(worker.id).status === 'completed', 60_000);
    // Every line once, in order.
    expect(transcriptTexts(harness, worker.id)).toEqual(lines);
    expect(lostOrResumed(harness, worker.id)).toEqual([]);
    // One run of one conversation: the model was asked once, and codex started once on the target.
    const asks = rig.openai
      .modelCalls()
      .filter((request) => request.lastUserText?.includes('say through-the-drop'));
    expect(asks).toHaveLength(1);
    expect(harness.store.getSession(worker.id).providerSessionId).toBeTruthy();
    // Its process group ended with the turn, and its spool went with it.
    await harness.until(() => !groupAlive(group!) && spooledGroups(sshd, worker.id).length === 0, 10_000);

    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
  });
});
