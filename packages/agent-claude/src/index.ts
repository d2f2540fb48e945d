export type { ClaudeProviderSettings } from './claude-provider.js';
export { createClaudeProvider } from './claude-provider.js';
export { createClaudeTerminal, readClaudeScreen } from './claude-terminal.js';
