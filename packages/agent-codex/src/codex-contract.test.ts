import { runProviderContract } from '@orcha/agent/testing';
import { createCodexTestbed } from './testing/codex-testbed.js';

// The real codex CLI, driven through the provider, against a fake Responses API speaking the contract's
// prompt language.
runProviderContract('codex', async () => {
  const testbed = await createCodexTestbed();
  return {
    provider: testbed.provider,
    spec: (sessionId, prompt) => testbed.spec(sessionId, prompt),
    isRunning: (sessionId) => testbed.isRunning(sessionId),
    teardown: () => testbed.teardown(),
  };
});
