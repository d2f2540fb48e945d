import { createLocalExecutor, groupIsAlive } from '@orcha/exec';
import type { AgentSpec } from '../agent-provider.js';

/**
 * Specs for a provider under test, all in one work dir, on the real local executor (short kill grace),
 * noting the process group of every spawn per session so tests can find the processes and their leftovers.
 */
export interface RecordingSpecs {
  spec(sessionId: string, prompt: string, extra?: Partial<AgentSpec>): AgentSpec;
  /** The process groups (leader pids) spawned for this session, oldest first. */
  pids(sessionId: string): number[];
  /** Whether any process spawned for this session is still alive (zombies do not count). */
  isRunning(sessionId: string): boolean;
}

export function createRecordingSpecs(cwd: string): RecordingSpecs {
  const local = createLocalExecutor({ killGraceMs: 1000 });
  const groups = new Map<string, number[]>();
  return {
    spec: (sessionId, prompt, extra = {}) => ({
      sessionId,
      prompt,
      cwd,
      executor: {
        ...local,
        async spawn(command, args, spawnOptions) {
          const handle = await local.spawn(command, args, spawnOptions);
          if (handle.pid !== undefined) groups.set(sessionId, [...(groups.get(sessionId) ?? []), handle.pid]);
          return handle;
        },
      },
      ...extra,
    }),
    pids: (sessionId) => [...(groups.get(sessionId) ?? [])],
    isRunning: (sessionId) => (groups.get(sessionId) ?? []).some(groupIsAlive),
  };
}
