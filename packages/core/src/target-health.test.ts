import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeProvider } from '@orcha/agent';
import { createLocalExecutor } from '@orcha/exec';
import { createFakeForge } from '@orcha/forge';
import { createIdGenerator, type OrchaEvent } from '@orcha/model';
import { createStore, type Store } from '@orcha/store';
import { createScratchPreparer } from '@orcha/workspace';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, type Orchestrator } from './orchestrator.js';
import { parseProbe, probeTarget } from './target-health.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orcha-health-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves when `predicate` holds, checked after every committed store event and every 50 ms. */
function until<T>(
  store: Store,
  predicate: () => T | null | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const value = predicate();
      if (!value) return;
      stop();
      resolve(value);
    };
    const unsubscribe = store.subscribe(check);
    const poll = setInterval(check, 50);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`not reached within ${timeoutMs} ms: ${predicate}`));
    }, timeoutMs);
    const stop = () => {
      unsubscribe();
      clearInterval(poll);
      clearTimeout(timer);
    };
    check();
  });
}

describe('the probe', () => {
  it('reads boot id, memory, load, free disk and the tmux server in one command', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'boot_id'), 'boot-1\n');
    const probe = await probeTarget(
      createLocalExecutor(),
      { workRoot: join(dir, 'not', 'made', 'yet') },
      {
        bootIdPath: join(dir, 'boot_id'),
        memInfoPath: '/proc/meminfo',
        tmuxSocket: `orcha-health-${process.pid}`,
        probeTimeoutMs: 10_000,
      },
    );
    expect(probe.bootId).toBe('boot-1');
    expect(probe.memAvailableBytes).toBeGreaterThan(1024 * 1024);
    expect(probe.load1).toBeGreaterThanOrEqual(0);
    // The work root does not exist yet: the free space of the volume it will be on.
    expect(probe.diskFreeBytes).toBeGreaterThan(0);
    expect(probe.tmuxAlive).toBe(false);
  });

  it('keeps what a machine could not say as unknown, and refuses an answer that is no probe', () => {
    expect(parseProbe('boot=\nmem=\nload=0.25\ndisk=x\ntmux=-\n')).toEqual({
      bootId: null,
      memAvailableBytes: null,
      load1: 0.25,
      diskFreeBytes: null,
      tmuxAlive: null,
      sessionRss: {},
    });
    expect(() => parseProbe('Welcome to the machine\n')).toThrow(/nothing usable/);
  });
});

describe('the heartbeat', () => {
  function start(
    clocks: { wall: number; mono: number },
    bootIdPath: string,
    memInfoPath = '/proc/meminfo',
    diskFloorBytes: number | null = null,
  ) {
    const dir = tempDir();
    const store = createStore({
      path: join(dir, 'orcha.db'),
      clock: () => clocks.wall,
      ids: createIdGenerator(
        () => clocks.wall,
        () => 3,
      ),
    });
    const local = store.createTarget({
      name: 'local',
      kind: 'local',
      workRoot: join(dir, 'work'),
      capacitySessions: 4,
      diskFloorBytes,
      status: 'online',
    });
    const executor = createLocalExecutor();
    const orchestrator: Orchestrator = createOrchestrator({
      store,
      providers: {
        fake: createFakeProvider({
          interactivity: 'noninteractive',
          script: async (agent) => {
            if (agent.prompt.includes('hog')) {
              // Holds some 100 MB on the target until canceled.
              await agent.run('node', [
                '-e',
                'const b = Buffer.alloc(96 * 2 ** 20, 1); setInterval(() => b[0]++, 60_000)',
              ]);
            }
            if (agent.resumed || agent.prompt.includes('hang')) await agent.hang();
            return 'done';
          },
        }),
      },
      executorFor: () => executor,
      forge: createFakeForge({ anyRepository: true }),
      preparer: createScratchPreparer(),
      clock: () => clocks.wall,
      monotonic: () => clocks.mono,
      config: {
        agentCliRequired: false,
        tmuxRequired: false,
        scheduleIntervalMs: 60_000,
        health: { probeIntervalMs: 60_000, bootIdPath, memInfoPath },
      },
    });
    cleanup.push(async () => {
      await orchestrator.stop();
      store.close();
    });
    return { store, orchestrator, local };
  }

  it('after a clock jump (a wake from sleep), probes every target before it places anything', async () => {
    const dir = tempDir();
    const bootIdPath = join(dir, 'boot_id');
    writeFileSync(bootIdPath, 'boot-1\n');
    const clocks = { wall: 1_000_000, mono: 5_000 };
    const { store, orchestrator, local } = start(clocks, bootIdPath);
    await orchestrator.start();
    await until(store, () => store.getTarget(local.id).health?.bootId === 'boot-1');

    // What the target looked like when each session was placed.
    const placedAfterProbeAt: (number | null)[] = [];
    const unsubscribe = store.subscribe((events: OrchaEvent[]) => {
      for (const event of events)
        if (event.type === 'session-status-change' && event.to === 'starting')
          placedAfterProbeAt.push(store.getTarget(local.id).health?.at ?? null);
    });
    cleanup.push(async () => unsubscribe());

    // The laptop slept for an hour: the wall clock moved, the monotonic clock did not.
    clocks.wall += 3_600_000;
    const wokeAt = clocks.wall;
    const { manager } = await orchestrator.createObjective({ title: 'after the wake', prompt: 'go' });
    await until(store, () => store.getSession(manager.id).status === 'waiting_input' || null);
    expect(placedAfterProbeAt).toHaveLength(1);
    expect(placedAfterProbeAt[0]).toBeGreaterThanOrEqual(wokeAt);
  });

  it('re-queues what ran on a target whose boot id changed, resuming its conversation', async () => {
    const dir = tempDir();
    const bootIdPath = join(dir, 'boot_id');
    writeFileSync(bootIdPath, 'boot-1\n');
    const clocks = { wall: 1_000_000, mono: 5_000 };
    const { store, orchestrator, local } = start(clocks, bootIdPath);
    await orchestrator.start();
    await until(store, () => store.getTarget(local.id).health?.bootId === 'boot-1');
    const { manager } = await orchestrator.createObjective({ title: 'long', prompt: 'hang' });
    await until(store, () => store.getSession(manager.id).status === 'running' || null);

    writeFileSync(bootIdPath, 'boot-2\n');
    clocks.mono += 61_000; // the next probe is due
    clocks.wall += 61_000;
    const requeued = await until(store, () =>
      store
        .listEvents({ after: 0, limit: 5_000 })
        .find(
          (event) =>
            event.type === 'session-status-change' &&
            event.sessionId === manager.id &&
            event.to === 'queued' &&
            event.reason?.includes('rebooted'),
        ),
    );
    expect(requeued).toMatchObject({
      from: 'running',
      reason: expect.stringContaining('target local rebooted'),
    });
    expect(store.getTarget(local.id).health?.bootId).toBe('boot-2');
    // Placed again on the same machine, where its workspace is.
    await until(store, () => store.getSession(manager.id).status === 'running' || null);
    expect(store.getSession(manager.id).targetId).toBe(local.id);
  });

  it('learns the peak memory of an agent there and places only what fits, saying why the rest waits', async () => {
    const dir = tempDir();
    const bootIdPath = join(dir, 'boot_id');
    writeFileSync(bootIdPath, 'boot-1\n');
    // The target's MemAvailable comes from a file the test controls (the loopback target is this machine).
    const memInfoPath = join(dir, 'meminfo');
    const memAvailable = (bytes: number) =>
      writeFileSync(memInfoPath, `MemTotal: 99999999 kB\nMemAvailable: ${Math.floor(bytes / 1024)} kB\n`);
    memAvailable(10e9);
    const clocks = { wall: 1_000_000, mono: 5_000 };
    const { store, orchestrator, local } = start(clocks, bootIdPath, memInfoPath);
    await orchestrator.start();
    await until(store, () => store.getTarget(local.id).health?.memAvailableBytes === 10e9 - (10e9 % 1024));
    /** Lets the next probe run (they are a minute apart) and waits until it has been recorded. */
    const nextProbe = async () => {
      const before = store.getTarget(local.id).health!.at;
      clocks.mono += 61_000;
      clocks.wall += 61_000;
      await until(store, () => store.getTarget(local.id).health!.at > before);
    };

    // One hungry session runs; the probes measure its processes on the target, and the agent's peak is kept.
    const first = await orchestrator.createObjective({ title: 'first', prompt: 'hog' });
    await until(store, () => store.getSession(first.manager.id).status === 'running' || null);
    let peak = 0;
    for (let probes = 0; peak < 80 * 2 ** 20 && probes < 20; probes++) {
      await nextProbe();
      peak = store.agentMemoryPeaks().fake ?? 0;
    }
    expect(peak).toBeGreaterThan(80 * 2 ** 20);
    expect(store.getTarget(local.id).health?.sessionRss[first.manager.id]).toBeGreaterThan(80 * 2 ** 20);

    // Room for two and a half more: two are placed, the others wait and say why.
    memAvailable(2.5 * peak);
    await nextProbe();
    const managers: string[] = [];
    for (const title of ['a', 'b', 'c', 'd'])
      managers.push((await orchestrator.createObjective({ title, prompt: 'hog' })).manager.id);
    await until(store, () => {
      const statuses = managers.map((id) => store.getSession(id).status);
      return (
        statuses.filter((status) => status === 'running').length === 2 &&
        statuses.filter((status) => status === 'waiting_capacity').length === 2
      );
    });
    const waiting = managers.map((id) => store.getSession(id)).filter((s) => s.status === 'waiting_capacity');
    for (const session of waiting)
      expect(session.statusReason).toMatch(
        /^waiting for memory on local: 0\.\d GB free, fake needs ~0\.1 GB$/,
      );
    // Nothing more is placed while the memory is promised, however often the scheduler looks.
    await orchestrator.tick();
    expect(managers.filter((id) => store.getSession(id).status === 'running')).toHaveLength(2);
  });

  it('makes no new workspace on a target below its disk floor, and says why the session waits', async () => {
    const dir = tempDir();
    const bootIdPath = join(dir, 'boot_id');
    writeFileSync(bootIdPath, 'boot-1\n');
    const clocks = { wall: 1_000_000, mono: 5_000 };
    // A floor no disk here reaches.
    const { store, orchestrator, local } = start(clocks, bootIdPath, '/proc/meminfo', 1e15);
    await orchestrator.start();
    await until(store, () => store.getTarget(local.id).health?.diskFreeBytes);
    const { manager } = await orchestrator.createObjective({ title: 'needs room', prompt: 'go' });
    const waiting = await until(store, () => {
      const session = store.getSession(manager.id);
      return session.status === 'waiting_capacity' && session;
    });
    expect(waiting.statusReason).toMatch(
      /^waiting for disk on local: [\d.]+ GB free in its work root, below its floor of 1000000\.0 GB$/,
    );
    expect(waiting.workspaceId).toBeNull();
  });
});
