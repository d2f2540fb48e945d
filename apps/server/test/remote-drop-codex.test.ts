import type { LoopbackSshd, ResponsesReply } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import {
  type CodexOnSsh,
  groupAlive,
  holdAnswer,
  lostOrResumed,
  spooledGroups,
  startCodexOnSsh,
  transcriptTexts,
  workerThroughDrop,
} from './remote-cli-agents.js';
import type { RemoteHarness } from './remote-harness.js';

// The real `codex` CLI as a headless worker on an SSH target whose connection drops mid-turn: `codex exec`
// runs detached from the connection there, and orcha reads its spooled JSON lines on from the last byte
// once the machine answers again.

let rig: CodexOnSsh;
let sshd: LoopbackSshd;
let harness: RemoteHarness;
/** The model's answer to the worker: held while the connection drops, released while the machine is away. */
const modelAnswer = holdAnswer();

const lines = ['answer-line-1', 'answer-line-2', 'answer-line-3'];
const say = (...texts: string[]): ResponsesReply => ({
  kind: 'output',
  items: texts.map((text) => ({ type: 'message', text })),
});

beforeAll(async () => {
  rig = await startCodexOnSsh(async (request) => {
    if (!request.lastUserText?.includes('say through-the-drop')) return say('ok');
    await modelAnswer.wait();
    return say(...lines);
  }, 30_000);
  ({ sshd, harness } = rig);
});

afterAll(async () => {
  modelAnswer.release();
  await rig?.close();
});

describe('codex as a headless worker on an SSH target whose connection drops', () => {
  it('finishes its turn through the drop: the transcript is whole and nothing is resumed or restarted', async () => {
    const { workerId, objectiveId, group } = await workerThroughDrop(rig, {
      agent: 'codex',
      prompt: 'say through-the-drop',
      held: modelAnswer,
      answered: (spool) => spool.includes(lines.at(-1)!),
      answer: lines[0]!,
    });
    await harness.until(() => harness.store.getSession(workerId).status === 'completed', 60_000);
    // Every line once, in order.
    expect(transcriptTexts(harness, workerId)).toEqual(lines);
    expect(lostOrResumed(harness, workerId)).toEqual([]);
    // One run of one conversation: the model was asked once, and codex started once on the target.
    const asks = rig.openai
      .modelCalls()
      .filter((request) => request.lastUserText?.includes('say through-the-drop'));
    expect(asks).toHaveLength(1);
    expect(harness.store.getSession(workerId).providerSessionId).toBeTruthy();
    // Its process group ended with the turn, and its spool went with it.
    await harness.until(() => !groupAlive(group) && spooledGroups(sshd, workerId).length === 0, 10_000);

    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
  });
});
