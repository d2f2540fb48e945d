import { createFakeProvider, type FakeAgent } from '@orcha/agent';
import { createFakeForge } from '@orcha/forge';
import { afterEach, describe, expect, it } from 'vitest';
import { type Core, callTool, startCore } from './core-harness.js';

let core: Core | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const isManager = (agent: FakeAgent) => agent.spec.systemPrompt?.startsWith('You are the manager') ?? false;

/**
 * The manager spawns one worker and publishes it when told it finished; workers write a file (follow-ups
 * on a pull request's branch too). `published` collects what publish_pr answered.
 */
function prAgents(published: unknown[], manager: { agent?: FakeAgent }) {
  return createFakeProvider({
    script: async (agent) => {
      if (isManager(agent)) manager.agent = agent;
      if (!isManager(agent)) {
        await agent.writeFile(`${agent.spec.sessionId}.txt`, agent.prompt);
        return `wrote ${agent.spec.sessionId}.txt`;
      }
      if (!agent.resumed) await callTool(core!, agent, 'spawn_session', { title: 'Say hello', prompt: 'p' });
      for (;;) {
        const message = await agent.waitForInput('waiting');
        const finished = /^Worker (ses_\S+) "Say hello" completed/.exec(message);
        if (!finished) continue;
        const publish = () =>
          callTool(core!, agent, 'publish_pr', { sessionId: finished[1], title: 'Hello' });
        published.push(await publish());
        published.push(await publish().catch((error: Error) => error.message));
      }
    },
  });
}

describe('pull requests', () => {
  it('publishes a worker once, answers review feedback with a follow-up on the branch, and never pushes to a merged one', async () => {
    const forge = createFakeForge();
    forge.createRepository('acme/app');
    const published: unknown[] = [];
    const managerRun: { agent?: FakeAgent } = {};
    core = await startCore({
      providers: { fake: prAgents(published, managerRun) },
      forge,
      config: { defaultRepo: 'acme/app' },
    });
    const { store, orchestrator } = core;
    const { objective, manager } = await orchestrator.createObjective({ title: 'hello', prompt: 'p' });
    const pr = await core.until(() => store.listPullRequests({ objectiveId: objective.id })[0]);
    await core.until(() => published.length === 2);
    expect(published[0]).toMatchObject({ id: pr.id, number: pr.number, state: 'open' });
    expect(published[1]).toMatch(/already has pull request #1/);
    expect(forge.list()).toHaveLength(1);

    // A review on the forge: the monitor's poll turns it into a follow-up worker on the PR's branch.
    forge.addReview('acme/app', pr.number, { author: 'alice', body: 'say it louder' });
    await orchestrator.pollFeedback();
    const followup = store
      .listSessions({ objectiveId: objective.id, role: 'worker' })
      .find((session) => session.pullRequestId === pr.id)!;
    expect(followup).toMatchObject({ workspaceKind: 'pr_branch', parentId: manager.id });
    expect(followup.prompt).toContain('say it louder');
    await core.until(() => store.getSession(followup.id).status === 'completed');
    // The same feedback polled again makes no second follow-up.
    await orchestrator.pollFeedback();
    expect(store.listSessions({ objectiveId: objective.id, role: 'worker' })).toHaveLength(2);

    // Merged on the forge: the poll records it, and a push to it is refused.
    forge.merge('acme/app', pr.number);
    await orchestrator.pollFeedback();
    expect(store.getPullRequest(pr.id).state).toBe('merged');
    await expect(
      callTool(core, managerRun.agent!, 'update_pr', { pullRequestId: pr.id, sessionId: followup.id }),
    ).rejects.toMatchObject({ code: 'push_refused' });
    expect(forge.list()[0]).toMatchObject({ state: 'merged' });
  });
});
