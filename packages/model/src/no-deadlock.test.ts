import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { SessionRole } from './entities.js';
import { chooseTarget } from './placement.js';
import { schedulingOrder } from './scheduling.js';
import { nextSessionStatus, type SessionFact } from './session-facts.js';
import { activeSessionStatuses, type SessionStatus, sessionMachine } from './states.js';
import { assertProperty } from './testing/property.js';

/**
 * A model of orcha's loop built from the real policies — `nextSessionStatus`, `schedulingOrder` and
 * `chooseTarget` — with agents that always finish: a manager spawns its workers, goes idle, and marks its
 * objective done once every worker ended; a worker may depend on earlier ones, ask the person (answered
 * some time later) or fail. Random trees, caps, targets, arrival orders and interleavings: every objective
 * must end, slots never exceed the cap or a target's capacity, and nothing runs without a process.
 */

interface WorkerPlan {
  deps: number[];
  asks: boolean;
  fails: boolean;
  pin: number | null;
}
interface World {
  cap: number;
  targets: { id: string; capacity: number }[];
  objectives: WorkerPlan[][];
}
interface Sim {
  id: string;
  objective: number;
  role: SessionRole;
  status: SessionStatus;
  createdAt: number;
  startedAt: number | null;
  dependsOn: string[];
  pinned: string | null;
  target: string | null;
  process: boolean;
  pending: number;
  question: 'none' | 'open' | 'answered';
  spawned: boolean;
  plan: WorkerPlan | null;
}

const worldArb: fc.Arbitrary<World> = fc
  .record({
    cap: fc.integer({ min: 1, max: 8 }),
    targets: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  })
  .chain(({ cap, targets }) =>
    fc.record({
      cap: fc.constant(cap),
      targets: fc.constant(targets.map((capacity, i) => ({ id: `t${i}`, capacity }))),
      objectives: fc.array(
        fc.array(
          fc.record({
            deps: fc.array(fc.nat({ max: 3 }), { maxLength: 2 }),
            asks: fc.boolean(),
            fails: fc.boolean(),
            pin: fc.option(fc.nat({ max: targets.length - 1 }), { freq: 3 }),
          }),
          { maxLength: 3 },
        ),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  );

/** Plain checks: `expect` is too slow for the inner loop of 10,000 runs. */
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function simulate(world: World, choices: readonly number[]): void {
  const sessions: Sim[] = [];
  const byId = new Map<string, Sim>();
  const managers = new Map<number, Sim>();
  const workersOf = new Map<number, Sim[]>();
  const done = new Set<number>();
  let dirty = true;
  let now = 0;
  let arrived = 0;
  let choice = 0;
  const pick = (n: number) => choices[choice++ % choices.length]! % n;

  const apply = (session: Sim, fact: SessionFact) => {
    const change = nextSessionStatus(session, fact);
    if (!change) return;
    dirty = true;
    check(
      sessionMachine.canTransition(session.status, change.status),
      `${session.status} → ${change.status}`,
    );
    session.status = change.status;
    if (!activeSessionStatuses.includes(session.status)) session.process = false; // the driver stops it
    if (sessionMachine.isTerminal(session.status) && session.role === 'worker') {
      const manager = managers.get(session.objective)!;
      if (!sessionMachine.isTerminal(manager.status) && !done.has(session.objective)) {
        manager.pending++;
        apply(manager, { type: 'input-pending' });
      }
    }
  };
  const create = (objective: number, role: SessionRole, plan: WorkerPlan | null, dependsOn: string[]) => {
    const session: Sim = {
      id: `s${sessions.length.toString().padStart(4, '0')}`,
      objective,
      role,
      status: 'queued',
      createdAt: now++,
      startedAt: null,
      dependsOn,
      pinned: plan?.pin != null ? world.targets[plan.pin]!.id : null,
      target: null,
      process: false,
      pending: 0,
      question: 'none',
      spawned: false,
      plan,
    };
    sessions.push(session);
    byId.set(session.id, session);
    if (role === 'manager') managers.set(objective, session);
    else workersOf.set(objective, [...(workersOf.get(objective) ?? []), session]);
    dirty = true;
    return session;
  };

  const pass = () => {
    const used = new Map(world.targets.map((t) => [t.id, 0]));
    for (const s of sessions)
      if (activeSessionStatuses.includes(s.status)) used.set(s.target!, used.get(s.target!)! + 1);
    let active = [...used.values()].reduce((a, b) => a + b, 0);
    const waiting = schedulingOrder(
      sessions.filter((s) => s.status === 'queued' || s.status === 'waiting_capacity'),
    );
    for (const session of waiting) {
      const deps = session.dependsOn.map((id) => byId.get(id)!);
      const broken = deps.find((d) => d.status === 'failed' || d.status === 'canceled');
      if (broken) {
        apply(session, { type: 'dependency-ended', dependencyId: broken.id, status: broken.status });
        continue;
      }
      if (deps.some((d) => d.status !== 'completed')) continue;
      if (active >= world.cap) continue;
      const placement = chooseTarget(
        world.targets.map((t) => ({
          id: t.id,
          name: t.id,
          status: 'online',
          capacity: t.capacity,
          used: used.get(t.id)!,
        })),
        session.pinned,
      );
      if (!placement.ok) {
        apply(session, { type: 'no-slot', reason: placement.detail });
        continue;
      }
      apply(session, { type: 'slot-claimed' });
      session.target = placement.targetId;
      session.process = true;
      session.startedAt ??= now;
      used.set(placement.targetId, used.get(placement.targetId)! + 1);
      active++;
    }
    // The invariants of every moment.
    check(active <= world.cap, `${active} slots held, cap ${world.cap}`);
    for (const t of world.targets) check(used.get(t.id)! <= t.capacity, `target ${t.id} over capacity`);
  };

  /** One turn of a live agent. */
  const turn = (session: Sim) => {
    if (session.status === 'starting') return apply(session, { type: 'process-started' });
    session.pending = 0; // it reads its input
    const context = () => ({
      pendingInput: session.pending > 0,
      openQuestion: session.question === 'open',
      exhausted: false,
    });
    if (session.role === 'manager') {
      const workers = workersOf.get(session.objective) ?? [];
      if (!session.spawned) {
        session.spawned = true;
        const ids: string[] = [];
        for (const plan of world.objectives[session.objective]!) {
          const deps = plan.deps.filter((d) => d < ids.length).map((d) => ids[d]!);
          ids.push(create(session.objective, 'worker', plan, deps).id);
        }
        if (ids.length > 0)
          return apply(session, { type: 'turn-completed', isError: false, result: null, ...context() });
      }
      if (workers.every((w) => sessionMachine.isTerminal(w.status))) {
        done.add(session.objective);
        apply(session, { type: 'objective-done' });
        for (const w of workers)
          apply(w, { type: 'stop-requested', why: 'cancel', reason: 'the objective is done' });
        return;
      }
      return apply(session, { type: 'turn-completed', isError: false, result: null, ...context() });
    }
    const plan = session.plan!;
    if (plan.asks && session.question === 'none') {
      session.question = 'open';
      return apply(session, { type: 'turn-completed', isError: false, result: null, ...context() });
    }
    if (plan.fails) {
      session.process = false;
      return apply(session, {
        type: 'process-exited',
        reason: 'failed',
        code: 1,
        lastError: 'boom',
        ...context(),
      });
    }
    apply(session, { type: 'turn-completed', isError: false, result: 'ok', ...context() });
  };

  for (let step = 0; ; step++) {
    check(step < 20_000, 'the loop keeps making progress');
    if (dirty) {
      dirty = false;
      pass();
    }
    for (const s of sessions) check(s.status !== 'running' || s.process, `${s.id} runs without a process`);
    const live = sessions.filter((s) => s.process);
    const asking = sessions.filter((s) => s.question === 'open' && !sessionMachine.isTerminal(s.status));
    const actions = [
      ...(arrived < world.objectives.length ? ['arrive' as const] : []),
      ...live.map((s) => ['turn', s] as const),
      ...asking.map((s) => ['answer', s] as const),
    ];
    if (actions.length === 0) break;
    const action = actions[pick(actions.length)]!;
    if (action === 'arrive') create(arrived++, 'manager', null, []);
    else if (action[0] === 'turn') turn(action[1]);
    else {
      const session = action[1];
      session.question = 'answered';
      session.pending++;
      apply(session, { type: 'input-pending' });
    }
  }
  check(arrived === world.objectives.length, 'every objective arrived');
  for (let objective = 0; objective < world.objectives.length; objective++) {
    check(
      done.has(objective),
      `objective ${objective} did not end: ${JSON.stringify(sessions.filter((s) => s.objective === objective).map((s) => `${s.role}:${s.status}`))}`,
    );
  }
  for (const s of sessions) check(sessionMachine.isTerminal(s.status), `${s.role} ${s.id} is ${s.status}`);
}

describe('no deadlock by construction', () => {
  it('ends every objective for random trees, caps 1–8, targets, arrival orders and interleavings', () => {
    assertProperty(
      'every objective ends',
      fc.property(worldArb, fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), simulate),
      Number(process.env.NO_DEADLOCK_RUNS ?? 10_000),
    );
    // 10,000 worlds take a few seconds of CPU alone, several times that beside other test files.
  }, 120_000);
});
