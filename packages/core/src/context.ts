import type { AgentProvider, AgentRun } from '@orcha/agent';
import type { Executor } from '@orcha/exec';
import type { Forge } from '@orcha/forge';
import type { Target } from '@orcha/model';
import type { Store } from '@orcha/store';
import type { Preparer } from '@orcha/workspace';
import type { OrchestratorConfig } from './config.js';
import type { CrashProbe } from './crash-points.js';

/** A line for the operator's log; the server decides where it goes. */
export type Logger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/**
 * What every system of the orchestrator shares: the backends, the clock and the live runs. Systems are
 * functions of this bag, so each is small and separately testable.
 */
export interface Context {
  store: Store;
  providers: ReadonlyMap<string, AgentProvider>;
  /** The Executor that reaches a target (local, or SSH for remote targets). */
  executorFor(target: Target): Executor;
  forge: Forge;
  preparer: Preparer;
  clock: () => number;
  config: OrchestratorConfig;
  log: Logger;
  /** The live agent run of each session: the only run whose events are facts about the session. */
  runs: Map<string, LiveRun>;
  /** Runs orcha is stopping, by session id: a new run of the session starts once its predecessor is gone. */
  exits: Map<string, Promise<void>>;
  /** Set once the orchestrator is stopping: no new agent process is started. */
  closing: boolean;
  /** Asks the scheduler to look again soon (coalesced). */
  wake(): void;
  /** Test-only: called at each crash point (`crash-points.ts`). Absent in a normal run. */
  probe?: CrashProbe;
  /** Whether nothing may be placed now: after a wake from sleep, until every target was probed again. */
  holdsPlacement(): boolean;
  /**
   * Probes a target now (see `target-health.ts`): asked before an agent on it is believed to have crashed.
   * Null when no heartbeat runs.
   */
  confirmTarget: ((targetId: string) => Promise<'answered' | 'reconnected' | 'missed'>) | null;
}

export interface LiveRun {
  run: AgentRun;
  interactivity: 'interactive' | 'noninteractive';
  /**
   * Turns the agent still owes: one for the prompt it started with, one more for each message sent to the
   * live process. The session is idle only when a turn ends with none owed.
   */
  owedTurns: number;
}
