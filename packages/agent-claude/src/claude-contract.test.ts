import { runProviderContract } from '@orcha/agent/testing';
import { createClaudeTestbed } from './testing/claude-testbed.js';

// The real claude CLI, driven through the provider, against a fake Messages API speaking the contract's
// prompt language.
runProviderContract('claude', async () => {
  const testbed = await createClaudeTestbed();
  return {
    provider: testbed.provider,
    spec: (sessionId, prompt) => testbed.spec(sessionId, prompt),
    isRunning: (sessionId) => testbed.isRunning(sessionId),
    teardown: () => testbed.teardown(),
  };
});
