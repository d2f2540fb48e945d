import { type AnthropicRequest, anthropicReply, type LoopbackSshd, lastUserText } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import {
  type ClaudeAcpOnSsh,
  groupAlive,
  holdAnswer,
  lostOrResumed,
  spooledGroups,
  startClaudeAcpOnSsh,
  transcriptTexts,
  workerThroughDrop,
} from './remote-cli-agents.js';
import type { RemoteHarness } from './remote-harness.js';

// An Agent Client Protocol agent (the real Claude ACP adapter, JSON-RPC over stdio) as a worker on an SSH
// target whose connection drops mid-turn: it runs detached from the connection there, orcha's requests reach
// its stdin through the spool, and its answers are read on from the last byte once the machine answers again.

let rig: ClaudeAcpOnSsh;
let sshd: LoopbackSshd;
let harness: RemoteHarness;
/** The model's answer to the worker: held while the connection drops, released while the machine is away. */
const modelAnswer = holdAnswer();
const answer = 'acp-answer-after-the-drop';

/** Claude Code asks its model for a session title (structured output) beside the conversation itself. */
const isTitleRequest = (request: AnthropicRequest) =>
  (request.body.output_config as { format?: { type?: string } } | undefined)?.format?.type === 'json_schema';

beforeAll(async () => {
  rig = await startClaudeAcpOnSsh(async (request) => {
    if (isTitleRequest(request)) return anthropicReply.text('{"title":"through the drop"}');
    if (!lastUserText(request)?.includes('say through-the-drop')) return anthropicReply.text('ok');
    await modelAnswer.wait();
    return anthropicReply.text(answer);
  }, 30_000);
  ({ sshd, harness } = rig);
});

afterAll(async () => {
  modelAnswer.release();
  await rig?.close();
});

describe('an ACP agent as a worker on an SSH target whose connection drops', () => {
  it('finishes its turn through the drop: the transcript is whole and nothing is resumed or restarted', async () => {
    const { workerId, objectiveId, group } = await workerThroughDrop(rig, {
      agent: 'claude-acp',
      prompt: 'say through-the-drop',
      held: modelAnswer,
      // The turn's end (the `session/prompt` response) is in the spool before the machine answers again.
      answered: (spool) => spool.includes('"stopReason"'),
      answer,
    });
    await harness.until(() => harness.store.getSession(workerId).status === 'completed', 60_000);
    // The answer streamed in chunks (one transcript message each): every chunk once, in order.
    expect(transcriptTexts(harness, workerId).join('')).toBe(answer);
    expect(harness.store.getSession(workerId).result).toBe(answer);
    expect(lostOrResumed(harness, workerId)).toEqual([]);
    // One run of one conversation: the model was asked once (beside the adapter's title request), by the one
    // agent process started there.
    const asks = rig.anthropic.requests.filter(
      (request) => !isTitleRequest(request) && lastUserText(request)?.includes('say through-the-drop'),
    );
    expect(asks).toHaveLength(1);
    // The finished worker's agent process is stopped there: its group is gone, and so is its spool.
    await harness.until(() => !groupAlive(group) && spooledGroups(sshd, workerId).length === 0, 10_000);
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
  });
});
