import { type BudgetLimits, defaultGuardPolicy, type GuardPolicy } from '@orcha/model';
import { defaultGitIdentity, type GitIdentity } from '@orcha/workspace';
import type { AgentEnvironmentEntry } from './target-reach.js';

/** Tunables of the orchestrator. Every field has a default; apps pass only what the user set. */
export interface OrchestratorConfig {
  /** Sessions running at once across all targets. */
  maxConcurrent: number;
  /** The idle tick: how often the scheduler looks again when nothing woke it. */
  scheduleIntervalMs: number;
  /** How often open pull requests are polled for state and feedback. */
  feedbackPollMs: number;
  /**
   * Where agents on this machine reach their MCP endpoint: `${mcpBaseUrl}/mcp/<sessionId>`. Agents on SSH
   * targets reach the same port through their connection's reverse tunnel.
   */
  mcpBaseUrl: string;
  /**
   * Where SSH targets' reverse tunnels lead on this machine: an endpoint serving only the MCP routes (any
   * user of a target can connect to its tunnel). Null: `mcpBaseUrl`.
   */
  tunnelBaseUrl: string | null;
  /** The environment given to agents, per agent and per target (see `agentEnvironment`). */
  agentEnvironment: AgentEnvironmentEntry[];
  guards: GuardPolicy;
  /** Default budgets: of every objective, and of every session (within its objective's remaining). */
  budgets: { objective?: BudgetLimits | undefined; session?: BudgetLimits | undefined };
  /**
   * Fallback chains by agent (or profile) name, e.g. `{ claude: ["claude-personal", "codex"] }`: when an
   * agent's usage is exhausted, its sessions continue mid-task on the first agent of its chain that can run
   * (see `nextAgent` in @orcha/model); new sessions go back to it once it resets.
   */
  fallbacks: Record<string, string[]>;
  /**
   * A turn that fails on rate limits (after the agent CLI's own retries) leaves its agent alone this long, as
   * if exhausted: its sessions move on to their fallbacks, or wait.
   */
  rateLimitCooldownMs: number;
  /** The agent used when an objective or spawn names none. */
  defaultAgent: string;
  /** The repository pull requests go to when neither the objective nor the session names one. */
  defaultRepo: string | null;
  /** Whether a target's doctor requires an agent CLI (off when agents are fake). */
  agentCliRequired: boolean;
  /** Whether a local target's doctor requires tmux (sessions run in tmux); SSH targets always need it. */
  tmuxRequired: boolean;
  /** How long transcript events may wait to be written in one batch. */
  transcriptFlushMs: number;
  /** Author and committer of the commits orcha makes of what workers leave uncommitted. */
  gitIdentity: GitIdentity;
  /** The heartbeat of targets (see `target-health.ts`). */
  health: HealthConfig;
}

/** How targets are probed, when one is offline, and how a wake from sleep is noticed. */
export interface HealthConfig {
  /** How often each online target is probed (one round trip each). */
  probeIntervalMs: number;
  /** How long a probe may take before it counts as missed. */
  probeTimeoutMs: number;
  /** Probes missed in a row before a target goes offline. */
  missedProbesOffline: number;
  /** An offline target is probed again after the interval, doubling each miss up to this. */
  maxBackoffMs: number;
  /**
   * Where the probe reads the machine's boot id. The kernel's file in production; tests point it at a file
   * they control, because a loopback "target" shares this machine's kernel and its boot id.
   */
  bootIdPath: string;
  /** Where the probe reads MemAvailable: the kernel's file; tests point it at one they control (as above). */
  memInfoPath: string;
  /** orcha's tmux socket on targets (`tmux -L`), whose server the probe asks about; null: not asked. */
  tmuxSocket: string | null;
  /** The wall clock running ahead of the monotonic one by this much is a wake from sleep. */
  clockJumpMs: number;
  /**
   * How long an agent that ended badly while its target did not answer waits for the target to answer
   * again before its exit is believed (a reboot found then re-queues it instead); and how long a detached
   * agent's output is waited for through a dropped connection before orcha gives its run up.
   */
  reconnectWaitMs: number;
  /** What an agent is expected to need before any of its sessions was measured (memory admission). */
  defaultMemoryNeedBytes: number;
}

export const defaultHealthConfig: HealthConfig = {
  probeIntervalMs: 2_000,
  probeTimeoutMs: 2_000,
  missedProbesOffline: 3,
  maxBackoffMs: 60_000,
  bootIdPath: '/proc/sys/kernel/random/boot_id',
  memInfoPath: '/proc/meminfo',
  tmuxSocket: null,
  clockJumpMs: 5_000,
  reconnectWaitMs: 120_000,
  defaultMemoryNeedBytes: 0,
};

export const defaultConfig: OrchestratorConfig = {
  maxConcurrent: 8,
  scheduleIntervalMs: 2_000,
  feedbackPollMs: 10_000,
  mcpBaseUrl: 'http://127.0.0.1:8080',
  tunnelBaseUrl: null,
  agentEnvironment: [],
  guards: defaultGuardPolicy,
  fallbacks: {},
  budgets: {},
  rateLimitCooldownMs: 5 * 60_000,
  defaultAgent: 'fake',
  defaultRepo: null,
  agentCliRequired: true,
  tmuxRequired: true,
  transcriptFlushMs: 20,
  gitIdentity: defaultGitIdentity,
  health: defaultHealthConfig,
};
