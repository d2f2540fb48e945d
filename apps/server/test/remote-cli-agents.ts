import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentProvider } from '@orcha/agent';
import { createClaudeAcpProvider } from '@orcha/agent-acp';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createCodexProvider } from '@orcha/agent-codex';
import { defaultHealthConfig } from '@orcha/core';
import {
  type AcpCliEnvironment,
  type ClaudeCliEnvironment,
  type CodexHome,
  claudeAcpPath,
  claudeCliPath,
  codexCliPath,
  createAcpCliEnvironment,
  createClaudeCliEnvironment,
  createCodexHome,
  type FakeAnthropic,
  type FakeHandler,
  type FakeOpenAI,
  type LoopbackSshd,
  type ResponsesHandler,
  startFakeAnthropic,
  startFakeOpenAI,
  startSshd,
} from '@orcha/testkit';
import { api } from './harness.js';
import { createRemoteFakeProvider } from './remote-agents.js';
import { type RemoteHarness, startRemoteHarness } from './remote-harness.js';

/** Real agent CLIs as the agents of an orcha whose one target `box` is a loopback sshd. */
export interface AgentsOnSsh {
  sshd: LoopbackSshd;
  harness: RemoteHarness;
  close(): Promise<void>;
}

/** The real `claude` CLI on `box`, its model the fake Anthropic server. */
export interface ClaudeOnSsh extends AgentsOnSsh {
  anthropic: FakeAnthropic;
}

/**
 * The real Claude ACP adapter on `box` (beside the plan-following fake manager), its model the fake Anthropic
 * server.
 */
export interface ClaudeAcpOnSsh extends AgentsOnSsh {
  anthropic: FakeAnthropic;
}

/** The real `codex` CLI on `box` (beside the plan-following fake manager), its model the fake OpenAI server. */
export interface CodexOnSsh extends AgentsOnSsh {
  openai: FakeOpenAI;
}

/**
 * Starts the rig: a loopback sshd registered as `box`, and orcha with `providers` (made once the model
 * servers are up); orcha probes every 300 ms, waits `reconnectWaitMs` for a machine that went away before it
 * gives a detached run up, and probes an offline one at least every second. `release` frees what the
 * providers needed (the model servers, the CLIs' homes) when the rig closes.
 */
async function startAgentsOnSsh(
  providers: () => Promise<Record<string, AgentProvider>>,
  reconnectWaitMs: number,
  release: () => Promise<void>,
): Promise<AgentsOnSsh> {
  const sshd = await startSshd().catch(async (error) => {
    await release();
    throw error;
  });
  let harness: RemoteHarness | undefined;
  const close = async () => {
    // A test that failed half-way may leave the machine away and a detached agent there: end it.
    await sshd.up();
    await harness
      ?.inspect(sshd)
      .sweepDetached(join(sshd.dir, 'work', 'agents'))
      .catch(() => {});
    await harness?.close();
    await release();
    await sshd.stop();
  };
  try {
    harness = await startRemoteHarness({
      providers: await providers(),
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
    return { sshd, harness, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The real `claude` CLI as the agent (`claude`) on `box`; the fake model answers with `handler`. */
export async function startClaudeOnSsh(handler: FakeHandler, reconnectWaitMs: number): Promise<ClaudeOnSsh> {
  const anthropic = await startFakeAnthropic({ handler });
  let claudeHome: ClaudeCliEnvironment | undefined;
  const rig = await startAgentsOnSsh(
    async () => {
      claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
      return { claude: createClaudeProvider({ command: claudeCliPath, env: claudeHome.env }) };
    },
    reconnectWaitMs,
    async () => {
      await anthropic.stop();
      await claudeHome?.remove();
    },
  );
  return { ...rig, anthropic };
}

/**
 * The real `codex` CLI as the agent `codex` on `box`, and the plan-following fake manager (`fake`, see
 * remote-agents.ts) to spawn it as a worker; the fake model answers with `handler`.
 */
export async function startCodexOnSsh(
  handler: ResponsesHandler,
  reconnectWaitMs: number,
): Promise<CodexOnSsh> {
  const openai = await startFakeOpenAI({ handler });
  let codexHome: CodexHome | undefined;
  const rig = await startAgentsOnSsh(
    async () => {
      codexHome = await createCodexHome(openai);
      const codex = createCodexProvider({
        command: codexCliPath,
        env: codexHome.env,
        config: codexHome.config as never,
        model: codexHome.model,
      });
      return { codex, fake: createRemoteFakeProvider() };
    },
    reconnectWaitMs,
    async () => {
      await openai.stop();
      await codexHome?.remove();
    },
  );
  return { ...rig, openai };
}

/**
 * The real Claude ACP adapter (an Agent Client Protocol agent over stdio) as the agent `claude-acp` on `box`,
 * and the plan-following fake manager (`fake`) to spawn it as a worker; the fake model answers with `handler`.
 */
export async function startClaudeAcpOnSsh(
  handler: FakeHandler,
  reconnectWaitMs: number,
): Promise<ClaudeAcpOnSsh> {
  const anthropic = await startFakeAnthropic({ handler });
  let acpHome: AcpCliEnvironment | undefined;
  const rig = await startAgentsOnSsh(
    async () => {
      acpHome = await createAcpCliEnvironment({ agent: 'claude', baseUrl: anthropic.url });
      const acp = createClaudeAcpProvider({
        command: process.execPath,
        args: [claudeAcpPath],
        env: acpHome.env,
      });
      return { 'claude-acp': acp, fake: createRemoteFakeProvider() };
    },
    reconnectWaitMs,
    async () => {
      await anthropic.stop();
      await acpHome?.remove();
    },
  );
  return { ...rig, anthropic };
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

/** What a session's detached runs wrote to their stdout spools on the target so far (the sshd is on loopback). */
export function spooledOutput(sshd: LoopbackSshd, sessionId: string): string {
  const dir = join(sshd.dir, 'work', 'agents', sessionId);
  try {
    return readdirSync(dir)
      .map((run) => readFileSync(join(dir, run, 'out'), 'utf8'))
      .join('');
  } catch {
    return '';
  }
}

/** Whether any process of the group lives (zombies, which their new parent may reap late, do not count). */
export function groupAlive(pgid: number): boolean {
  return execFileSync('ps', ['-e', '-o', 'pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .some(([group, stat]) => Number(group) === pgid && !stat?.startsWith('Z'));
}

/**
 * The processes on the target (the sshd is on loopback) that carry the session's id in their environment,
 * as every agent process orcha starts does: read from /proc, whatever group or spool they are in.
 */
export function sessionProcesses(sessionId: string): number[] {
  const mark = `ORCHA_SESSION_ID=${sessionId}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const zombie = /^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return !zombie && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(mark);
      } catch {
        return false; // gone meanwhile, or not ours to read
      }
    })
    .map(Number);
}

/** The texts of a session's transcript, in order. */
export function transcriptTexts(harness: RemoteHarness, sessionId: string): string[] {
  return harness.store.listMessages(sessionId, { after: 0, limit: 5_000 }).map((message) => message.text);
}

/** The reasons of a session's status changes that say its run was lost or resumed (none after a clean drop). */
export function lostOrResumed(harness: RemoteHarness, sessionId: string): string[] {
  return harness.store
    .listEvents({ after: 0, limit: 5_000 })
    .flatMap((event) =>
      event.type === 'session-status-change' && event.sessionId === sessionId ? [event.reason ?? ''] : [],
    )
    .filter((reason) => /lost the connection|resum|rebooted|restart/.test(reason));
}

/** A model answer held back: the fake model `wait`s on it (marking the worker `asked`) until `release`. */
export function holdAnswer() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = {
    asked: false,
    release: () => release(),
    async wait() {
      held.asked = true;
      await released;
    },
  };
  return held;
}

/**
 * A worker of `agent` whose machine drops off while it waits for its model: the objective's fake manager
 * spawns it with `prompt`; once the model was asked (`held`), sshd goes down, the model's answer is released while
 * the machine is away, and sshd comes back once the agent's answer is in its spool (`answered`) and not yet in
 * the transcript (`answer`). Resolves with the worker, its objective and its process group on the target.
 */
export async function workerThroughDrop(
  rig: AgentsOnSsh,
  options: {
    agent: string;
    prompt: string;
    held: ReturnType<typeof holdAnswer>;
    answered: (spool: string) => boolean;
    answer: string;
  },
): Promise<{ workerId: string; objectiveId: string; group: number }> {
  const { harness, sshd } = rig;
  const plan = {
    spawn: [{ title: `${options.agent} worker`, prompt: options.prompt, agent: options.agent }],
  };
  const created = await api(harness, 'POST', '/api/objectives', {
    title: `${options.agent} through the drop`,
    prompt: JSON.stringify(plan),
    agent: 'fake',
  });
  if (created.status !== 201) throw new Error(`objective refused: ${JSON.stringify(created.body)}`);
  const objectiveId = created.body.objective.id as string;
  const worker = await harness.until(
    () => harness.store.listSessions({ objectiveId }).find((session) => session.agent === options.agent),
    30_000,
  );
  await harness.until(() => options.held.asked, 60_000);
  const [group] = spooledGroups(sshd, worker.id);
  if (!group || group <= 1) throw new Error(`no process group spooled for ${worker.id}`);
  // The machine drops off while the agent waits for its model; the agent lives on there, and writes its
  // answer to the spool while orcha cannot read it.
  await sshd.down();
  await harness.until(() => (harness.store.getTarget('box').health?.missed ?? 0) >= 1);
  if (!groupAlive(group)) throw new Error(`the agent's group ${group} died with the connection`);
  options.held.release();
  await harness.until(() => options.answered(spooledOutput(sshd, worker.id)), 30_000);
  if (transcriptTexts(harness, worker.id).join('').includes(options.answer))
    throw new Error('the transcript has the answer before the machine answered again');
  await sshd.up();
  return { workerId: worker.id, objectiveId, group };
}
