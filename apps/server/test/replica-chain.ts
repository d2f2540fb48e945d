// Several real `orcha serve` replicas on one real PostgreSQL database, the leader SIGKILLed mid-run again and
// again (a replacement replica launched after each kill). The offline demo's agents do the work: scripted
// headless managers on the local target and workers in tmux, on the local target and on an SSH target (a
// loopback sshd); tmux sessions outlive a replica, so a new leader re-attaches them. Used by
// `replicas.test.ts` (a few kills) and `pnpm bench replicas` (ten).
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createIdGenerator, type OrchaEvent, sessionMachine } from '@orcha/model';
import { createStore } from '@orcha/store';
import type { LoopbackSshd } from '@orcha/testkit';
import { type LaunchedOrcha, launchOrcha } from './orcha-process.js';
import { openSse } from './sse-reader.js';
import { eventually } from './until.js';

export interface ReplicaChainOptions {
  /** The PostgreSQL database (a fresh one). */
  database: string;
  /** Shared by every replica: they run on this one machine (workspaces, the fake forge). */
  dataDir: string;
  tmuxSocket: string;
  /** The SSH target's machine. */
  sshd: LoopbackSshd;
  /** How many times the leader is killed. */
  kills: number;
  objectives: number;
  leaseMs: number;
  /** Everything must be done within this. */
  timeoutMs: number;
  /**
   * At the end, on a quiet system: this many objectives created (and canceled) one at a time through one
   * replica, each timed to an SSE client of another (`quietSseMs`).
   */
  quietSseSamples?: number;
  /** Told of each step as it happens (the bench prints them). */
  progress?: (line: string) => void;
}

export interface ReplicaChain {
  /** From each SIGKILL of the leader to another replica taking the lease (as it logged), ms. */
  failoversMs: number[];
  /** Runs started while the session's previous run was still live (from the event log). */
  doubleStarts: string[];
  /** Transcript rows an SSE client saw appended that the database no longer has, and gaps in seqs. */
  lostLines: string[];
  /** From an event's commit (its `at`) to an SSE client of another replica receiving it, ms. */
  sseCrossReplicaMs: number[];
  /** The same, measured one event at a time on a quiet system (`quietSseSamples`). */
  quietSseMs: number[];
  /** What else did not hold at the end (objectives not done, sessions left running). */
  problems: string[];
  /** How the replicas ended: the killed ones with SIGKILL, none deposed on its own. */
  exits: string[];
  /** The agents of the sessions holding a slot at each kill (as the store held them once the leader died). */
  runningAtKills: string[][];
  /** What the leaders found and took over, summed over every takeover (their reconcile counts). */
  takenOver: Record<string, number>;
  /** Sessions by agent and target kind that completed (`tmux@ssh`, `fake@local`, …); any other end is a problem. */
  completed: Record<string, number>;
}

interface Replica {
  port: number;
  orcha: LaunchedOrcha;
  killed: boolean;
  serving: boolean;
}

const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;

async function getJson<T>(port: number, path: string): Promise<T | null> {
  try {
    const response = await fetch(url(port, path), { signal: AbortSignal.timeout(5_000) });
    if (response.ok) return (await response.json()) as T;
    await response.text();
    return null;
  } catch {
    return null;
  }
}

interface ReplicaRow {
  id: string;
  address: string;
  leader: boolean;
}

/** The percentile `p` (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function runReplicaChain(options: ReplicaChainOptions): Promise<ReplicaChain> {
  const { database, dataDir, tmuxSocket, kills, leaseMs } = options;
  const began = Date.now();
  const progress = (line: string) =>
    options.progress?.(`${((Date.now() - began) / 1000).toFixed(1)} s: ${line}`);
  const env = { ...process.env, ORCHA_DATABASE_URL: database, ORCHA_DEMO_QUIET_MS: '3000' };
  const replicas: Replica[] = [];
  const launch = () => {
    // Any free port, as the replica itself binds it: a port probed here could be taken by the time a
    // replacement starts, minutes later.
    const args = ['--port', '0', '--data-dir', dataDir, '--no-demo', '--schedule-interval', '200ms'];
    args.push('--lease', `${leaseMs}ms`, '--tmux', '--tmux-socket', tmuxSocket);
    const replica: Replica = { port: 0, orcha: launchOrcha(args, env), killed: false, serving: false };
    replica.orcha.serving.then(
      (port) => {
        replica.port = port;
        replica.serving = true;
      },
      () => {},
    );
    replicas.push(replica);
    return replica;
  };
  const alive = () => replicas.filter((r) => !r.killed && r.orcha.child.exitCode === null);
  const deadline = Date.now() + options.timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());

  const sseCrossReplicaMs: number[] = [];
  const seenAppends: { sessionId: string; fromSeq: number; toSeq: number }[] = [];
  const readers: { port: number; stream: Awaited<ReturnType<typeof openSse>> }[] = [];
  const follow = async (replica: Replica) => {
    readers.push({ port: replica.port, stream: await openSse(url(replica.port, '/api/events')) });
  };
  let answering = true;
  let answerer: Promise<void> = Promise.resolve();
  try {
    // orcha's known_hosts (in the data dir) trusts the SSH target's host key.
    await appendFile(join(dataDir, 'known_hosts'), `${options.sshd.hostKeyLine}\n`);
    const first = [launch(), launch(), launch()];
    await Promise.all(first.map((r) => r.orcha.serving));
    const { sshd } = options;
    const registered = await fetch(url(first[0]!.port, '/api/targets'), {
      method: 'POST',
      body: JSON.stringify({
        name: 'loopback',
        kind: 'ssh',
        host: sshd.host,
        user: sshd.user,
        port: sshd.port,
        identity_file: sshd.identityFile,
        work_root: join(sshd.dir, 'work'),
        capacity_sessions: 4,
      }),
    });
    const target = (await registered.json()) as { target?: { status: string } };
    if (registered.status !== 201 || target.target?.status !== 'online')
      throw new Error(`the SSH target did not come online: ${JSON.stringify(target)}`);
    // Who leads, as a serving replica sees it.
    const leaderOf = async (): Promise<{ id: string; port: number } | null> => {
      for (const replica of alive()) {
        const answer = await getJson<{ replicas: ReplicaRow[] }>(replica.port, '/api/replicas');
        const leader = answer?.replicas.find((r) => r.leader);
        if (leader) return { id: leader.id, port: Number(new URL(leader.address).port) };
      }
      return null;
    };
    let leader = await eventually(leaderOf, left());

    // An SSE client on each follower: events committed by the leader reach it through PostgreSQL.
    for (const replica of first.filter((r) => r.port !== leader.port)) await follow(replica);
    const watch = setInterval(() => {
      for (const reader of readers) {
        for (const message of reader.stream.messages.splice(0)) {
          if (!message.id) continue;
          const event = JSON.parse(message.data) as OrchaEvent;
          // Committed by the leader (or an API call elsewhere), heard on a replica that does not lead.
          if (reader.port !== leader.port) sseCrossReplicaMs.push(message.receivedAt - event.at);
          if (event.type === 'message-append') seenAppends.push(event);
        }
      }
    }, 5);

    // The rollout workers ask the person: answered on whichever replica is up.
    answerer = (async () => {
      while (answering) {
        for (const replica of alive().slice(0, 1)) {
          const open = await getJson<{ questions: { id: string }[] }>(
            replica.port,
            '/api/questions?status=open',
          );
          for (const question of open?.questions ?? [])
            await fetch(url(replica.port, `/api/questions/${question.id}/answer`), {
              method: 'POST',
              body: JSON.stringify({ answer: 'feature flag' }),
            })
              .then((response) => response.text())
              .catch(() => null);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    // Objectives made through followers: the leader hears of them through the shared feed.
    const objectiveIds: string[] = [];
    const createObjective = async () => {
      const via = alive().find((r) => r.serving && r.port !== leader.port) ?? alive()[0]!;
      const response = await fetch(url(via.port, '/api/objectives'), {
        method: 'POST',
        body: JSON.stringify({
          title: `survive the leader's death ${objectiveIds.length + 1}`,
          prompt: 'keep going',
        }),
      });
      if (response.status !== 201) throw new Error(`objective refused: ${await response.text()}`);
      objectiveIds.push(((await response.json()) as { objective: { id: string } }).objective.id);
    };
    for (let i = 0; i < options.objectives; i++) await createObjective();

    const failoversMs: number[] = [];
    const runningAtKills: string[][] = [];
    let replacement: Replica | null = null;
    for (let kill = 0; kill < kills; kill++) {
      // Mid-run: something holds a slot, and at least two replicas serve.
      // A replacement is followed once it serves; the next kill waits until two replicas serve.
      if (replacement) {
        const next = replacement;
        void next.orcha.serving.then(
          () => follow(next),
          () => {},
        );
      }
      await eventually(async () => alive().filter((r) => r.serving).length >= 2, left());
      // The first kill comes while a headless manager runs (resumed from its conversation), the second while
      // a tmux agent runs (its run outlives the leader: re-attached), later ones whenever anything runs.
      const wanted = kill === 0 ? 'fake' : kill === 1 ? 'tmux' : null;
      await eventually(async () => {
        // Work for the kill to land in, when everything so far ended.
        const objectives = await getJson<{ objectives: { status: string }[] }>(
          leader.port,
          '/api/objectives',
        );
        if (objectives && !objectives.objectives.some((o) => o.status === 'active')) await createObjective();
        const sessions = await getJson<{ sessions: { status: string; agent: string }[] }>(
          leader.port,
          '/api/sessions',
        );
        const agents = (sessions?.sessions ?? []).filter((s) => s.status === 'running').map((s) => s.agent);
        return agents.length && (!wanted || agents.includes(wanted)) ? agents : null;
      }, left());
      const victim = replicas.find((r) => r.port === leader.port)!;
      const before = leader.id;
      victim.killed = true;
      const killedAt = Date.now();
      victim.orcha.child.kill('SIGKILL');
      // What the dead leader left holding a slot, read from a survivor once it is dead (before the lease runs
      // out): a turn may end between the poll above and the kill.
      await victim.orcha.exited;
      const survivor = alive().find((r) => r.serving)!;
      const leftRunning = await getJson<{ sessions: { status: string; agent: string }[] }>(
        survivor.port,
        '/api/sessions',
      );
      runningAtKills.push(
        (leftRunning?.sessions ?? [])
          .filter((s) => s.status === 'running' || s.status === 'starting')
          .map((s) => s.agent),
      );
      replacement = launch();
      leader = await eventually(async () => {
        const next = await leaderOf();
        return next && next.id !== before ? next : null;
      }, left());
      // Timed by the new leader's own record of taking the lease (its log line), not by when our poll heard
      // of it: on a loaded machine the API answers late, the takeover itself need not.
      const took = replicas
        .flatMap((r) => r.orcha.stderr().split('\n'))
        .find((line) => line.includes('this replica leads') && line.includes(leader.id));
      failoversMs.push((took ? Date.parse(took.slice(0, 24)) : Date.now()) - killedAt);
      progress(`kill ${kill + 1}: ${leader.id} leads after ${failoversMs.at(-1)} ms`);
    }

    // Every objective done.
    const problems: string[] = [];
    await eventually(async () => {
      const done = await Promise.all(
        objectiveIds.map(async (id) => {
          const detail = await getJson<{ objective: { status: string } }>(
            leader.port,
            `/api/objectives/${id}`,
          );
          return detail?.objective.status === 'done';
        }),
      );
      return done.every(Boolean);
    }, left()).catch(() => problems.push('not every objective ended done in time'));
    clearInterval(watch);
    progress(`${objectiveIds.length} objectives done`);

    // The database's truth: statuses, transcripts, the event log.
    const store = createStore({ url: database, clock: Date.now, ids: createIdGenerator(Date.now, () => 7) });
    const doubleStarts: string[] = [];
    const lostLines: string[] = [];
    const completed: Record<string, number> = {};
    try {
      for (const session of store.listSessions({})) {
        const kind = session.targetId ? store.getTarget(session.targetId).kind : 'none';
        const key = `${session.agent}@${kind}`;
        if (session.status === 'completed') completed[key] = (completed[key] ?? 0) + 1;
        else
          problems.push(
            `${session.role} ${session.id} (${key}) ended ${session.status}: ${session.statusReason}`,
          );
      }
      for (const objective of store.listObjectives())
        if (objective.status !== 'done') problems.push(`objective ${objective.id} is ${objective.status}`);
      const sessions = store.listSessions({});
      for (const session of sessions)
        if (!sessionMachine.isTerminal(session.status))
          problems.push(`session ${session.id} left ${session.status}`);
      const live = new Map<string, boolean>();
      for (let after = 0; ; ) {
        const page = store.listEvents({ after, limit: 1_000 });
        for (const event of page) {
          if (event.type !== 'session-status-change') continue;
          const wasLive = live.get(event.sessionId) ?? false;
          if (event.to === 'starting' && wasLive)
            doubleStarts.push(`${event.sessionId} at event ${event.id}`);
          live.set(event.sessionId, event.to === 'starting' || event.to === 'running');
        }
        if (page.length < 1_000) break;
        after = page.at(-1)!.id;
      }
      const rows = new Map<string, Set<number>>();
      for (const session of sessions) {
        const seqs = new Set<number>();
        for (let after = 0; ; ) {
          const page = store.listMessages(session.id, { after, limit: 1_000 });
          for (const message of page) seqs.add(message.seq);
          if (page.length < 1_000) break;
          after = page.at(-1)!.seq;
        }
        rows.set(session.id, seqs);
        const max = Math.max(0, ...seqs);
        if (seqs.size !== max) lostLines.push(`${session.id}: ${seqs.size} rows up to seq ${max}`);
      }
      for (const append of seenAppends)
        for (let seq = append.fromSeq; seq <= append.toSeq; seq++)
          if (!rows.get(append.sessionId)?.has(seq)) lostLines.push(`${append.sessionId}#${seq}`);
      if (!seenAppends.length) problems.push('the SSE clients saw no transcript line appended');
    } finally {
      store.close();
    }
    answering = false;
    await answerer;
    // The chain's readers are done (and every frame they got must have been valid): closed before the quiet
    // samples, so checking their backlog of frames does not hold this process's thread while it times.
    await Promise.all(readers.splice(0).map((reader) => reader.stream.close()));
    const quietSseMs: number[] = [];
    if (options.quietSseSamples) {
      const [from, to] = alive().filter((r) => r.serving);
      if (!from || !to) throw new Error('fewer than two replicas serve at the end');
      const stream = await openSse(url(to.port, '/api/events'));
      try {
        for (let i = 0; i < options.quietSseSamples; i++) {
          const response = await fetch(url(from.port, '/api/objectives'), {
            method: 'POST',
            body: JSON.stringify({ title: `feed probe ${i}`, prompt: 'nothing', agent: 'fake' }),
          });
          const { objective } = (await response.json()) as { objective: { id: string } };
          await stream.until((messages) => messages.some((m) => m.data.includes(objective.id)), 10_000);
          const frame = stream.messages.find((m) => m.data.includes(objective.id))!;
          quietSseMs.push(frame.receivedAt - (JSON.parse(frame.data) as OrchaEvent).at);
          stream.messages.splice(0);
          const canceled = await fetch(url(from.port, `/api/objectives/${objective.id}/cancel`), {
            method: 'POST',
            body: '{}',
          });
          await canceled.text(); // read to its end: an unread body keeps its connection from the next request
          if ((i + 1) % 20 === 0) progress(`quiet SSE: ${i + 1} samples`);
        }
      } finally {
        await stream.close();
      }
    }
    const takenOver: Record<string, number> = {};
    for (const replica of replicas)
      for (const line of replica.orcha.stderr().split('\n')) {
        if (!line.includes('reconciled sessions after restart')) continue;
        const counts = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>;
        for (const [key, value] of Object.entries(counts))
          if (key !== 'ms') takenOver[key] = (takenOver[key] ?? 0) + value;
      }
    const exits: string[] = [];
    for (const replica of replicas) {
      if (replica.killed) {
        const exit = await replica.orcha.exited;
        exits.push(`${replica.port}: ${exit.signal ?? exit.code}`);
      } else if (replica.orcha.child.exitCode !== null) {
        exits.push(
          `${replica.port}: exited ${replica.orcha.child.exitCode} on its own:\n${replica.orcha.stderr().slice(-2_000)}`,
        );
      }
    }
    return {
      failoversMs,
      doubleStarts,
      lostLines,
      sseCrossReplicaMs,
      quietSseMs,
      problems,
      exits,
      takenOver,
      completed,
      runningAtKills,
    };
  } catch (error) {
    const logs = replicas.map(
      (r) =>
        `--- replica on ${r.port} (${r.killed ? 'killed' : `exit ${r.orcha.child.exitCode ?? r.orcha.child.signalCode ?? 'none yet'}`}):\n${r.orcha.stderr().slice(-4_000)}`,
    );
    const cause = error instanceof Error && error.cause ? `\ncaused by: ${String(error.cause)}` : '';
    throw new Error(`${error instanceof Error ? error.stack : String(error)}${cause}\n${logs.join('\n')}`);
  } finally {
    answering = false;
    await answerer;
    await Promise.all(readers.map((reader) => reader.stream.close()));
    await Promise.all(
      replicas.map(async (replica) => {
        if (replica.orcha.child.exitCode === null && replica.orcha.child.signalCode === null)
          replica.orcha.child.kill('SIGTERM');
        await replica.orcha.exited;
      }),
    );
  }
}
