import { createFakeProvider } from '@orcha/agent';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close({ remove: true });
  harness = null;
});

describe('a message handed to a run that orcha stops', () => {
  it('goes back to the inbox and reaches the resumed conversation after the restart', async () => {
    const resumedWith: string[] = [];
    const provider = () =>
      createFakeProvider({
        name: 'fake',
        interactivity: 'interactive',
        script: async (agent) => {
          if (agent.resumed) {
            resumedWith.push(agent.prompt);
            return 'answered';
          }
          await agent.waitForInput('ready'); // idle, its process alive
          return agent.hang(); // handed a message, it never answers it before orcha stops
        },
      });
    harness = await startHarness({ providers: { fake: provider() } });
    const { store, orchestrator } = harness;
    const { manager } = await orchestrator.createObjective({ title: 'requeue', prompt: 'p', agent: 'fake' });
    await harness.until(() => store.getSession(manager.id).status === 'waiting_input');

    expect(await orchestrator.steer(manager.id, 'the message')).toBe('live');
    await harness.until(
      () =>
        store.getSession(manager.id).status === 'running' &&
        store.listInput(manager.id).some((input) => input.handed),
    );

    await orchestrator.stop();
    // The run was stopped before it answered: the message waits for the next run again.
    expect(store.listInput(manager.id)).toEqual([{ text: 'the message', handed: false }]);
    expect(store.getSession(manager.id).status).toBe('queued');

    const dir = harness.dir;
    await harness.close();
    harness = await startHarness({ providers: { fake: provider() }, dir });
    const restarted = harness;
    await restarted.until(() => restarted.store.getSession(manager.id).status === 'waiting_input');
    expect(resumedWith).toEqual(['the message']);
    expect(restarted.store.listInput(manager.id)).toEqual([]);
  });
});
