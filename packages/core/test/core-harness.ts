import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { AgentProvider } from '@orcha/agent';
import { createLocalExecutor } from '@orcha/exec';
import { createFakeForge, type FakeForge } from '@orcha/forge';
import { createIdGenerator, type Session } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { createScratchPreparer } from '@orcha/workspace';
import type { OrchestratorConfig } from '../src/config.js';
import { createOrchestrator, type Orchestrator } from '../src/orchestrator.js';

/** A clock the test moves by hand. */
export function manualClock(start = 1_800_000_000_000) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

export interface Core {
  dir: TempDir;
  store: Store;
  forge: FakeForge;
  orchestrator: Orchestrator;
  /** Resolves when `predicate` holds, checked now and after every committed store event. */
  until<T>(predicate: () => T | null | undefined | false, timeoutMs?: number): Promise<T>;
  /** A worker of the objective's manager, as spawn_session makes it. */
  worker(objectiveId: string, prompt: string, options?: { dependsOn?: string[]; title?: string }): Session;
  close(): Promise<void>;
}

/**
 * The real orchestrator on a real SQLite file in a temp dir, with the given providers, the fake forge, the
 * scratch preparer, the local executor and an injected clock. No HTTP: an agent calls its tools through
 * `orchestrator.toolsFor` with the token its spec carries (`callTool` below).
 */
export async function startCore(options: {
  providers: Record<string, AgentProvider>;
  config?: Partial<OrchestratorConfig>;
  clock?: () => number;
  capacity?: number;
  forge?: FakeForge;
}): Promise<Core> {
  const dir = await createTempDir('orcha-core-');
  const clock = options.clock ?? Date.now;
  const store = createStore({
    path: join(dir.path, 'orcha.db'),
    clock,
    ids: createIdGenerator(clock, () => randomInt(32)),
  });
  store.ensureLocalTarget({ workRoot: join(dir.path, 'work'), capacity: options.capacity ?? 16 });
  const local = createLocalExecutor();
  const forge = options.forge ?? createFakeForge();
  const orchestrator = createOrchestrator({
    store,
    providers: options.providers,
    executorFor: () => local,
    forge,
    preparer: createScratchPreparer(),
    clock,
    config: {
      scheduleIntervalMs: 60_000,
      feedbackPollMs: 600_000,
      agentCliRequired: false,
      ...options.config,
    },
  });
  await orchestrator.start();
  const until = <T>(predicate: () => T | null | undefined | false, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      let unsubscribe = () => {};
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`not reached within ${timeoutMs} ms: ${predicate}`));
      }, timeoutMs);
      const check = () => {
        const value = predicate();
        if (!value) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      };
      unsubscribe = store.subscribe(check);
      check();
    });
  return {
    dir,
    store,
    forge,
    orchestrator,
    until,
    worker(objectiveId, prompt, extra = {}) {
      const manager = store.listSessions({ objectiveId, role: 'manager' })[0]!;
      const session = store.createSession({
        objectiveId,
        parentId: manager.id,
        role: 'worker',
        agent: manager.agent,
        title: extra.title ?? prompt,
        prompt,
        dependsOn: extra.dependsOn ?? [],
        interactivity: manager.interactivity,
      });
      void orchestrator.tick();
      return session;
    },
    async close() {
      await orchestrator.stop();
      store.close();
      await dir.remove();
    },
  };
}

/** Calls one of orcha's tools as the agent's session, with the bearer token its spec carries. */
export function callTool(
  core: Core,
  agent: { spec: { sessionId: string; mcp?: { token: string } | undefined } },
  name: string,
  args: Record<string, unknown>,
): Promise<unknown> {
  const tool = core.orchestrator
    .toolsFor(agent.spec.sessionId, agent.spec.mcp!.token)
    .find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} for this session`);
  return tool.run(args);
}
