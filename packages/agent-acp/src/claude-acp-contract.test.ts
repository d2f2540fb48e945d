import { runProviderContract } from '@orcha/agent/testing';
import { createClaudeAcpTestbed } from './testing/claude-acp-testbed.js';

// The real Claude ACP adapter (and the claude binary it bundles), driven through the provider, against a
// fake Messages API speaking the contract's prompt language.
runProviderContract('claude-acp', async () => {
  const testbed = await createClaudeAcpTestbed();
  return {
    provider: testbed.provider,
    spec: (sessionId, prompt) => testbed.spec(sessionId, prompt),
    isRunning: (sessionId) => testbed.isRunning(sessionId),
    teardown: () => testbed.teardown(),
  };
});
