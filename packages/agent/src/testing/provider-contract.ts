import { isOrchaError } from '@orcha/model';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, AgentProvider, AgentRun, AgentSpec } from '../agent-provider.js';
import { answered, collectUntil, describeEvents, eventLog, eventually, newSessionId } from './events.js';

export interface ContractHarness {
  provider: AgentProvider;
  /** A spec (cwd, executor, env, mcp…) for a new run with this session id and prompt. */
  spec(sessionId: string, prompt: string): AgentSpec;
  /** True while any process of that run is still alive on this machine. */
  isRunning(sessionId: string): Promise<boolean>;
  /** false for providers whose `resume` rejects with OrchaError('capability_unsupported') (tmux). Default true. */
  resumable?: boolean;
  teardown?(): Promise<void>;
}

/** How long a turn may take: real CLIs start a process and talk to a (fake) model server. */
const turnMs = 30_000;
const cancelMs = 10_000;
const crashMs = 15_000;
const testMs = 90_000;

/**
 * Registers vitest tests (describe(`provider contract: ${name}`)) every AgentProvider passes.
 * The harness's "model" obeys a tiny prompt language:
 *   `say <words>` → the agent answers exactly <words> (as `text` events) and completes the turn;
 *   `recall`      → answers with every earlier `say` words of the same conversation, space-separated, and completes the turn;
 *   `hang`        → the turn stays open, no answer, until canceled;
 *   `crash`       → the agent fails fatally (model service error / process dies).
 *
 * Terminal agents (runs that report `output` events, e.g. tmux) have no turn boundaries: for them a turn
 * ends when the answer appears as a line of its own, and no `turn-complete` is required. Providers that
 * cannot resume (`resumable: false`) may report a null `providerSessionId`.
 */
export function runProviderContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`provider contract: ${name}`, () => {
    let harness: ContractHarness;
    const runs: AgentRun[] = [];

    beforeAll(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await Promise.all(runs.splice(0).map((run) => run.cancel().catch(() => {})));
    });
    afterAll(async () => {
      await harness?.teardown?.();
    });

    const interactive = () => harness.provider.interactivity === 'interactive';
    const resumable = () => harness.resumable !== false;

    const track = (run: AgentRun) => {
      runs.push(run);
      eventLog(run); // start reading at once so no event is lost
      return run;
    };

    /** Reads one turn: until `turn-complete`, or for terminal runs until `words` appear on a line. */
    const turn = async (run: AgentRun, words: string) => {
      const events = await collectUntil(
        run,
        (event, collected) =>
          event.type === 'turn-complete' ||
          event.type === 'exited' ||
          (isTerminal(run) && answered(collected, words)),
        turnMs,
      );
      const seen = describeEvents(events);
      expect(answered(events, words), `answer ${words} in: ${seen}`).toBe(true);
      if (!isTerminal(run)) {
        const complete = events.at(-1);
        expect(complete, `turn-complete ends the turn: ${seen}`).toMatchObject({
          type: 'turn-complete',
          isError: false,
        });
      }
      return events;
    };

    const ended = async (run: AgentRun) => {
      const events = await eventLog(run).end(turnMs);
      const exits = events.filter((event) => event.type === 'exited');
      expect(exits, describeEvents(events)).toHaveLength(1);
      expect(events.at(-1)).toEqual(exits[0]);
      expect(await run.wait()).toEqual(exits[0]);
      return events;
    };

    const stopped = async (sessionId: string) => {
      await eventually(async () => !(await harness.isRunning(sessionId)), cancelMs, `${sessionId} to stop`);
    };

    const startedOf = (run: AgentRun) => {
      const first = eventLog(run).events[0];
      expect(first?.type).toBe('started');
      return first as Extract<AgentEvent, { type: 'started' }>;
    };

    it(
      'answers a prompt, completes the turn, and exits (or stays until canceled)',
      async () => {
        const sessionId = newSessionId();
        const run = track(await harness.provider.start(harness.spec(sessionId, 'say apple')));
        await turn(run, 'apple');
        const started = startedOf(run);
        if (resumable()) expect(started.providerSessionId).toEqual(expect.any(String));
        if (interactive()) {
          expect(await harness.isRunning(sessionId)).toBe(true);
          expect(eventLog(run).events.some((event) => event.type === 'exited')).toBe(false);
          await run.cancel();
          const events = await ended(run);
          expect(events.at(-1)).toMatchObject({ type: 'exited', reason: 'canceled' });
        } else {
          const events = await ended(run);
          expect(events.at(-1)).toEqual({ type: 'exited', code: 0, reason: 'completed' });
        }
        await stopped(sessionId);
      },
      testMs,
    );

    it(
      'takes a message on the live run when interactive, refuses it otherwise',
      async () => {
        const sessionId = newSessionId();
        const run = track(await harness.provider.start(harness.spec(sessionId, 'say apple')));
        if (!interactive()) {
          await expect(run.send('say pear')).rejects.toSatisfy((error) =>
            isOrchaError(error, 'capability_unsupported'),
          );
          await ended(run);
          return;
        }
        await turn(run, 'apple');
        await run.send('say pear');
        await turn(run, 'pear');
        expect(eventLog(run).events.filter((event) => event.type === 'started')).toHaveLength(1);
        await run.cancel();
        expect((await ended(run)).at(-1)).toMatchObject({ reason: 'canceled' });
        await stopped(sessionId);
      },
      testMs,
    );

    it(
      'cancels a hanging turn promptly and leaves nothing running',
      async () => {
        const sessionId = newSessionId();
        const run = track(await harness.provider.start(harness.spec(sessionId, 'hang')));
        await collectUntil(run, (event) => event.type === 'started', turnMs);
        expect(await harness.isRunning(sessionId)).toBe(true);
        const asked = Date.now();
        await run.cancel();
        const events = await eventLog(run).end(cancelMs);
        expect(Date.now() - asked).toBeLessThan(cancelMs);
        expect(events.at(-1)).toMatchObject({ type: 'exited', reason: 'canceled' });
        expect(events.some((event) => event.type === 'turn-complete')).toBe(false);
        expect(await run.wait()).toEqual(events.at(-1));
        await stopped(sessionId);
      },
      testMs,
    );

    it(
      'resumes a conversation with what was said before (or refuses when it cannot)',
      async () => {
        const sessionId = newSessionId();
        if (!resumable()) {
          const spec = { ...harness.spec(sessionId, 'recall'), providerSessionId: 'unknown' };
          await expect(harness.provider.resume(spec)).rejects.toSatisfy((error) =>
            isOrchaError(error, 'capability_unsupported'),
          );
          return;
        }
        const first = track(await harness.provider.start(harness.spec(sessionId, 'say kiwi')));
        await turn(first, 'kiwi');
        const { providerSessionId } = startedOf(first);
        if (interactive()) await first.cancel();
        await ended(first);
        expect(providerSessionId).toEqual(expect.any(String));
        const spec = { ...harness.spec(sessionId, 'recall'), providerSessionId: providerSessionId as string };
        const second = track(await harness.provider.resume(spec));
        await turn(second, 'kiwi');
        if (interactive()) await second.cancel();
        await ended(second);
        await stopped(sessionId);
      },
      testMs,
    );

    it(
      'reports a fatal failure as an error and a failed exit, never a hang',
      async () => {
        const sessionId = newSessionId();
        const run = track(await harness.provider.start(harness.spec(sessionId, 'crash')));
        const events = await eventLog(run).end(crashMs);
        const exit = events.at(-1);
        expect(exit?.type, describeEvents(events)).toBe('exited');
        expect(['failed', 'crashed']).toContain(exit?.type === 'exited' ? exit.reason : undefined);
        expect(events.some((event) => event.type === 'error')).toBe(true);
        expect(await run.wait()).toEqual(exit);
        await stopped(sessionId);
      },
      testMs,
    );
  });
}

/** Terminal runs report what the screen shows (`output`), not structured text. */
function isTerminal(run: AgentRun): boolean {
  return eventLog(run).events.some((event) => event.type === 'output');
}
