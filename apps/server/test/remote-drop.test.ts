import { join } from 'node:path';
import { anthropicReply, type LoopbackSshd, lastUserText } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './harness.js';
import {
  type ClaudeOnSsh,
  groupAlive,
  lostOrResumed,
  spooledGroups,
  startClaudeOnSsh,
  transcriptTexts,
} from './remote-cli-agents.js';
import type { RemoteHarness } from './remote-harness.js';

// The real `claude` CLI as a headless agent on an SSH target whose connection drops mid-run: the agent runs
// detached from the connection there, and orcha reads its spooled output on from the last byte once the
// machine answers again.

let rig: ClaudeOnSsh;
let sshd: LoopbackSshd;
let harness: RemoteHarness;
/** The model's first answer waits for this: the connection drops while the agent waits for its model. */
let releaseFirst: () => void = () => {};
const firstHeld = new Promise<void>((resolve) => {
  releaseFirst = resolve;
});
let firstAsked = false;

beforeAll(async () => {
  rig = await startClaudeOnSsh(async (request) => {
    const last = lastUserText(request) ?? '';
    if (last.includes('say first')) {
      firstAsked = true;
      await firstHeld;
      return anthropicReply.text('first-answer');
    }
    if (last.includes('say second')) return anthropicReply.text('second-answer');
    return anthropicReply.text('ok');
  }, 30_000);
  ({ sshd, harness } = rig);
});

afterAll(async () => {
  releaseFirst();
  await rig?.close();
});

const texts = (sessionId: string) => transcriptTexts(harness, sessionId);

describe('a headless agent on an SSH target whose connection drops', () => {
  it('runs on through the drop: the transcript is whole, nothing is resumed, and cancel leaves nothing', async () => {
    const created = await api(harness, 'POST', '/api/objectives', {
      title: 'through the drop',
      prompt: 'say first',
      agent: 'claude',
    });
    expect(created.status).toBe(201);
    const objectiveId = created.body.objective.id as string;
    const session = harness.store.listSessions({ objectiveId })[0]!;
    await harness.until(() => firstAsked, 30_000);
    const [group] = spooledGroups(sshd, session.id);
    expect(group).toBeGreaterThan(1);

    // The machine drops off while the agent waits for its model; the agent lives on there.
    await sshd.down();
    await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
    expect(groupAlive(group!)).toBe(true);
    await sshd.up();
    releaseFirst();

    await harness.until(() => texts(session.id).includes('first-answer'), 30_000);
    await harness.until(() => harness.store.getSession(session.id).status === 'waiting_input', 30_000);
    // The same process takes the next message on its stdin (through the spool).
    const steered = await api(harness, 'POST', `/api/sessions/${session.id}/messages`, {
      text: 'say second',
    });
    expect(steered.status).toBeLessThan(300);
    await harness.until(() => texts(session.id).includes('second-answer'), 30_000);

    const said = texts(session.id);
    expect(said.filter((text) => text === 'first-answer')).toHaveLength(1);
    expect(said.filter((text) => text === 'second-answer')).toHaveLength(1);
    expect(spooledGroups(sshd, session.id)).toEqual([group]);
    expect(lostOrResumed(harness, session.id)).toEqual([]);
    // One conversation: the model never saw a resumed session's replayed prompt twice.
    expect(
      rig.anthropic.requests.filter((request) => lastUserText(request)?.includes('say first')),
    ).toHaveLength(1);

    // Canceled, its remote group is gone from the target, and so is its spool.
    await api(harness, 'POST', `/api/objectives/${objectiveId}/cancel`, {});
    await harness.until(() => harness.store.getSession(session.id).status === 'canceled');
    await harness.until(() => !groupAlive(group!) && spooledGroups(sshd, session.id).length === 0, 10_000);
  });

  it('on start-up, agent runs an orcha that is gone left on the target are ended', async () => {
    // A detached run as an orcha that crashed leaves it: started over another connection, nobody follows it.
    const spool = join(sshd.dir, 'work', 'agents', 'ses_gone');
    const orphan = await harness.inspect(sshd).spawn('sh', ['-c', 'sleep 1000'], { detach: { dir: spool } });
    expect(groupAlive(orphan.pid!)).toBe(true);
    await harness.orchestrator.stop();
    await harness.orchestrator.start();
    expect(groupAlive(orphan.pid!)).toBe(false);
    expect(spooledGroups(sshd, 'ses_gone')).toEqual([]);
    expect((await orphan.wait()).code).not.toBe(0);
  });
});
