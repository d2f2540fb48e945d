import { describe, expect, it } from 'vitest';
import { acpProviders } from './acp-agents.js';

describe('ACP agents', () => {
  it('offers gemini and claude-acp when wanted, and every configured one', () => {
    const looked: string[] = [];
    const providers = acpProviders(
      (name, binary) => {
        looked.push(`${name}:${binary}`);
        return name === 'gemini';
      },
      [{ name: 'goose', kind: 'acp', command: 'goose', args: ['acp'], permission: 'allow' }],
    );
    expect(looked).toEqual(['gemini:gemini', 'claude-acp:claude-agent-acp']);
    expect(Object.keys(providers)).toEqual(['gemini', 'goose']);
    expect(providers.gemini).toMatchObject({ name: 'gemini', interactivity: 'interactive' });
    expect(providers.goose).toMatchObject({ name: 'goose', interactivity: 'interactive' });
  });
});
