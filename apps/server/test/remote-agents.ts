import { createFakeProvider, type FakeAgent, type FakeProvider } from '@orcha/agent';
import { isManager, listSessions } from './scripts.js';

/** What the plan-following manager spawns: spawn_session's arguments. */
export interface SpawnArgs {
  title: string;
  prompt: string;
  target?: string;
  agent?: string;
  workspace?: 'isolated' | 'scratch';
}

/**
 * The objective's prompt for the plan-following manager: workers to spawn at once, workers to publish as
 * pull requests when they complete, and whether to mark the objective done once every worker ended.
 * Later steering messages `spawn <json array>` spawn more; `finish` asks it to end once workers are done.
 */
export interface Plan {
  spawn: SpawnArgs[];
  publish?: string[];
  finish?: boolean;
}

const terminal = new Set(['completed', 'failed', 'canceled']);

async function manage(agent: FakeAgent): Promise<string> {
  // The manager's prompt is the objective's title, then its prompt: the plan.
  const plan = JSON.parse(agent.prompt.slice(agent.prompt.indexOf('{'))) as Plan;
  let finish = plan.finish ?? false;
  const spawn = async (list: SpawnArgs[]) => {
    for (const args of list) await agent.callTool('spawn_session', { ...args });
  };
  await spawn(plan.spawn);
  const published = new Set<string>();
  for (;;) {
    const workers = (await listSessions(agent)).filter((session) => session.role === 'worker');
    for (const worker of workers) {
      if (worker.status !== 'completed' || published.has(worker.id) || !plan.publish?.includes(worker.title))
        continue;
      published.add(worker.id);
      await agent.callTool('publish_pr', {
        sessionId: worker.id,
        title: worker.title,
        body: 'from a remote worker',
      });
    }
    if (finish && workers.length > 0 && workers.every((worker) => terminal.has(worker.status))) {
      await agent.callTool('mark_objective_done', { summary: `${workers.length} workers ended` });
      return 'done';
    }
    const message = await agent.waitForInput();
    if (message.startsWith('spawn ')) await spawn(JSON.parse(message.slice(6)) as SpawnArgs[]);
    if (message === 'finish') finish = true;
  }
}

/**
 * Workers do real work on their target through its executor; the prompt's first word says what:
 * `commit <file>` writes and commits a file, `head` answers with its checkout's HEAD, `sleep <seconds>`
 * sleeps remotely, `hang <tag>` runs a remote process group until canceled.
 */
async function work(agent: FakeAgent): Promise<string> {
  const [verb = '', argument = ''] = agent.prompt.split(/\s+/);
  switch (verb) {
    case 'commit': {
      await agent.writeFile(argument, `written on ${agent.spec.executor.describe().host}\n`);
      await agent.run('git', ['add', '--', argument]);
      const identity = ['-c', 'user.name=remote worker', '-c', 'user.email=worker@orcha.invalid'];
      const committed = await agent.run('git', [...identity, 'commit', '--quiet', '-m', `Add ${argument}`]);
      if (committed.code !== 0) agent.fail(`commit failed: ${committed.stderr}`);
      return `committed ${argument}`;
    }
    case 'head': {
      const head = await agent.run('git', ['rev-parse', 'HEAD']);
      return `head ${head.stdout.trim()}`;
    }
    case 'sleep': {
      const slept = await agent.run('sleep', [argument]);
      return `slept ${argument}s (exit ${slept.code})`;
    }
    case 'hang': {
      agent.say(`starting ${argument}`);
      await agent.run('sh', ['-c', `sleep 1000 & sleep 1001 & wait; : ${argument}`]);
      return 'hang ended';
    }
    default:
      return agent.fail(`unknown task ${agent.prompt}`);
  }
}

/** The fake provider of the remote tests: a plan-following manager and workers that work remotely. */
export function createRemoteFakeProvider(): FakeProvider {
  return createFakeProvider({
    name: 'fake',
    script: (agent) => (isManager(agent.spec) ? manage(agent) : work(agent)),
  });
}
