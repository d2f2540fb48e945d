export type { CodexProviderSettings } from './codex-provider.js';
export { createCodexProvider } from './codex-provider.js';
export { createCodexTerminal, readCodexScreen } from './codex-terminal.js';
