export type {
  AgentErrorKind,
  AgentEvent,
  AgentExit,
  AgentExitReason,
  AgentProvider,
  AgentRun,
  AgentSpec,
  AgentUsage,
  PermissionQuestion,
} from './agent-provider.js';
export type {
  FakeAgent,
  FakeProvider,
  FakeProviderOptions,
  FakeScript,
} from './fake-provider.js';
export { createFakeProvider } from './fake-provider.js';
export { promptLanguageScript } from './prompt-language.js';
export type {
  ScreenReading,
  TerminalAgent,
  TerminalDialog,
  TerminalLaunch,
} from './terminal-agent.js';
export { menuKeys } from './terminal-agent.js';
