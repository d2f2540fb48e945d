export type {
  AgentErrorKind,
  AgentEvent,
  AgentExit,
  AgentExitReason,
  AgentProvider,
  AgentRun,
  AgentSpec,
  AgentUsage,
} from './agent-provider.js';
