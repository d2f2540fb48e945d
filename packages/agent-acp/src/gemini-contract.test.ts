import { runProviderContract } from '@orcha/agent/testing';
import { createGeminiTestbed } from './testing/gemini-testbed.js';

// The real Gemini CLI over ACP, driven through the provider, against a fake Gemini API speaking the
// contract's prompt language.
runProviderContract('gemini (acp)', async () => {
  const testbed = await createGeminiTestbed();
  return {
    provider: testbed.provider,
    spec: (sessionId, prompt) => testbed.spec(sessionId, prompt),
    isRunning: (sessionId) => testbed.isRunning(sessionId),
    teardown: () => testbed.teardown(),
  };
});
