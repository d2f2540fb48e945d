// Benchmark `loop`: the real loop from objective to pull request with `--real-forge` (a git remote served
// over HTTP and GitHub's REST API on loopback), scripted agents standing in for the model.
//   objective_to_pr_s      POST /api/objectives (repo, no base branch) → the pull request opened, median,
//                          with the fake model's think time on the critical path subtracted
//   git_alone_s            the same change by git and one REST call alone, median, measured in this run:
//                          clone borrowing from a warm mirror, commit, push, POST /pulls
//   orcha_overhead_ratio   objective_to_pr_s / git_alone_s (goal ≤ 1.5)
// The last line is one JSON object `{"bench":"loop",…}`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFakeProvider, type FakeScript } from '@orcha/agent';
import { createTempDir, git, seedRepo, startFakeGitHub, startGitHttpServer } from '@orcha/testkit';
import { parseConfig } from '../apps/server/src/config.js';
import { startServer } from '../apps/server/src/server.js';

const runs = 5;
/** The fake model's think time before each step; three steps are on the path to the pull request. */
const thinkMs = 50;
const stepsOnPath = 3;
const token = 'ghp_bench_loop_token';
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const seconds = (ms: number) => Math.round(ms) / 1000;

const isManager = (systemPrompt: string | undefined) =>
  systemPrompt?.startsWith('You are the manager') ?? false;
/** The manager: think, spawn one worker; when it finished, think, publish its work; then done. */
const manager: FakeScript = async (agent) => {
  await agent.sleep(thinkMs);
  const worker = (await agent.callTool('spawn_session', { title: 'Add a line', prompt: 'add a line' })) as {
    id: string;
  };
  for (let text = ''; !text.startsWith(`Worker ${worker.id}`); ) text = await agent.waitForInput();
  await agent.sleep(thinkMs);
  await agent.callTool('publish_pr', { sessionId: worker.id, title: 'Add a line', body: 'bench' });
  await agent.callTool('mark_objective_done', { summary: 'published' });
  return 'done';
};
/** The worker: think, change a file, stop without committing (orcha commits). */
const worker: FakeScript = async (agent) => {
  await agent.sleep(thinkMs);
  await agent.writeFile('CHANGES.md', `a line from ${agent.spec.sessionId}\n`);
  return 'added a line to CHANGES.md';
};

const dir = await createTempDir('orcha-bench-loop-');
const gitServer = await startGitHttpServer({ token });
const github = await startFakeGitHub(gitServer, { token });
const url = await gitServer.createRepo('acme/app');
// A repository of some size: 400 files of 2 KiB.
const files: Record<string, string> = { 'README.md': 'app\n' };
for (let i = 0; i < 400; i++) files[`src/file-${i}.txt`] = `${'x'.repeat(2047)}\n`;
await mkdir(join(dir.path, 'seed', 'src'), { recursive: true });
await seedRepo(join(dir.path, 'seed'), gitServer.repoPath('acme/app'), { files });

const server = await startServer(
  {
    ...parseConfig(
      [
        '--real-forge',
        '--no-demo',
        '--port',
        '0',
        '--data-dir',
        join(dir.path, 'data'),
        '--max-concurrent',
        '8',
      ],
      {},
    ),
    githubUrl: github.url,
    githubToken: token,
  },
  {
    providers: {
      fake: createFakeProvider({
        script: (agent) => (isManager(agent.spec.systemPrompt) ? manager(agent) : worker(agent)),
      }),
    },
  },
);
const { store } = server.orchestrator;

/** One objective, timed from its request to its pull request. */
async function orchaOnce(): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${server.url}/api/objectives`, {
    method: 'POST',
    body: JSON.stringify({ title: 'Add a line', prompt: 'add a line', repo: url }),
  });
  if (response.status !== 201) throw new Error(`objective refused: ${await response.text()}`);
  const { objective } = (await response.json()) as { objective: { id: string } };
  await new Promise<void>((resolve) => {
    const check = () => {
      if (store.listPullRequests({ objectiveId: objective.id }).length === 0) return false;
      unsubscribe();
      resolve();
      return true;
    };
    const unsubscribe = store.subscribe(check);
    check();
  });
  const elapsed = performance.now() - start;
  // Let the objective finish before the next run starts, so runs do not overlap.
  await new Promise<void>((resolve) => {
    const check = () => {
      if (store.getObjective(objective.id).status === 'active') return;
      unsubscribe();
      resolve();
    };
    const unsubscribe = store.subscribe(check);
    check();
  });
  return elapsed - thinkMs * stepsOnPath;
}

// The baseline borrows objects from a warm mirror, as orcha's checkouts do from theirs.
const credentials = new URL(url);
credentials.username = 'x-access-token';
credentials.password = token;
const mirror = join(dir.path, 'mirror.git');
await git(['clone', '--quiet', '--mirror', credentials.href, mirror]);
let made = 0;
/** The same change with git and one REST call, nothing else. */
async function gitOnce(): Promise<number> {
  const path = join(dir.path, 'baseline', String(++made));
  const branch = `baseline/${made}`;
  const start = performance.now();
  await git(['clone', '--quiet', '--no-checkout', '--reference', mirror, credentials.href, path]);
  await git(['checkout', '--quiet', '-b', branch, 'origin/main'], { cwd: path });
  await writeFile(join(path, 'CHANGES.md'), `a line from ${branch}\n`);
  await git(['add', '--all'], { cwd: path });
  await git(
    [
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@orcha.invalid',
      'commit',
      '--quiet',
      '-m',
      'Add a line',
    ],
    {
      cwd: path,
    },
  );
  await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: path });
  const opened = await fetch(`${github.url}/repos/acme/app/pulls`, {
    method: 'POST',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Add a line', head: branch, base: 'main', body: 'bench' }),
  });
  if (opened.status !== 201) throw new Error(`baseline pull request refused: ${await opened.text()}`);
  return performance.now() - start;
}

try {
  // Warm both paths once (orcha's mirror, the JIT), then alternate so load affects both alike.
  await orchaOnce();
  await gitOnce();
  const orcha: number[] = [];
  const alone: number[] = [];
  for (let run = 0; run < runs; run++) {
    orcha.push(await orchaOnce());
    alone.push(await gitOnce());
  }
  const objectiveToPr = median(orcha);
  const gitAlone = median(alone);
  console.log(`objective → pull request (think time subtracted): ${orcha.map(Math.round).join(', ')} ms`);
  console.log(`git + one REST call alone:                        ${alone.map(Math.round).join(', ')} ms`);
  console.log(
    JSON.stringify({
      bench: 'loop',
      objective_to_pr_s: seconds(objectiveToPr),
      git_alone_s: seconds(gitAlone),
      orcha_overhead_ratio: Math.round((objectiveToPr / gitAlone) * 100) / 100,
      fake_model_think_s: seconds(thinkMs * stepsOnPath),
      runs,
    }),
  );
} finally {
  await server.close();
  await github.stop();
  await gitServer.stop();
  await dir.remove();
}
