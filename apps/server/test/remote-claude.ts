import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClaudeProvider } from '@orcha/agent-claude';
import { defaultHealthConfig } from '@orcha/core';
import {
  type ClaudeCliEnvironment,
  claudeCliPath,
  createClaudeCliEnvironment,
  type FakeAnthropic,
  type FakeHandler,
  type LoopbackSshd,
  startFakeAnthropic,
  startSshd,
} from '@orcha/testkit';
import { type RemoteHarness, startRemoteHarness } from './remote-harness.js';

/** The real `claude` CLI as the agent of an orcha whose one target `box` is a loopback sshd. */
export interface ClaudeOnSsh {
  sshd: LoopbackSshd;
  anthropic: FakeAnthropic;
  harness: RemoteHarness;
  close(): Promise<void>;
}

/**
 * Starts it: the fake model answers with `handler`; orcha probes every 300 ms, waits `reconnectWaitMs` for
 * a machine that went away before it gives a detached run up, and probes an offline one at least every
 * second.
 */
export async function startClaudeOnSsh(handler: FakeHandler, reconnectWaitMs: number): Promise<ClaudeOnSsh> {
  const sshd = await startSshd();
  const anthropic = await startFakeAnthropic({ handler });
  let claudeHome: ClaudeCliEnvironment | undefined;
  let harness: RemoteHarness | undefined;
  const close = async () => {
    // A test that failed half-way may leave the machine away and a detached agent there: end it.
    await sshd.up();
    await harness
      ?.inspect(sshd)
      .sweepDetached(join(sshd.dir, 'work', 'agents'))
      .catch(() => {});
    await harness?.close();
    await anthropic.stop();
    await claudeHome?.remove();
    await sshd.stop();
  };
  try {
    claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
    harness = await startRemoteHarness({
      providers: { claude: createClaudeProvider({ command: claudeCliPath, env: claudeHome.env }) },
      config: {
        health: {
          ...defaultHealthConfig,
          probeIntervalMs: 300,
          probeTimeoutMs: 1_000,
          reconnectWaitMs,
          maxBackoffMs: 1_000,
        },
      },
    });
    await harness.trust(sshd);
    const registered = await harness.register(sshd, 'box');
    if (registered.status !== 201)
      throw new Error(`box was not registered: ${JSON.stringify(registered.body)}`);
    return { sshd, anthropic, harness, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The process groups of a session's detached runs on the target (the sshd is on loopback). */
export function spooledGroups(sshd: LoopbackSshd, sessionId: string): number[] {
  const dir = join(sshd.dir, 'work', 'agents', sessionId);
  try {
    return readdirSync(dir).map((run) => Number(readFileSync(join(dir, run, 'pid'), 'utf8')));
  } catch {
    return [];
  }
}

/** Whether any process of the group lives (zombies, which their new parent may reap late, do not count). */
export function groupAlive(pgid: number): boolean {
  return execFileSync('ps', ['-e', '-o', 'pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some(([group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'));
}
