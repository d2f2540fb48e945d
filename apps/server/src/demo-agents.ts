import { fileURLToPath } from 'node:url';
import { type AgentProvider, type AgentSpec, createFakeProvider, type FakeAgent } from '@orcha/agent';

/**
 * The offline demo's agents: scripted fakes that do real work through orcha's own tools. The manager splits
 * any objective over MCP into an implementation worker, a documentation worker (each published as a pull
 * request when it finishes) and a rollout worker that asks the person a question and waits for the answer;
 * it pushes the follow-ups that answer review feedback and marks the objective done once every worker ended.
 * No model is involved.
 */
export function createDemoProvider(
  options: { pace?: number; workerAgent?: string | undefined } = {},
): AgentProvider {
  const pace = options.pace ?? 1;
  return createFakeProvider({
    name: 'fake',
    interactivity: 'interactive',
    script: (agent) => (isManager(agent.spec) ? manage(agent, pace, options.workerAgent) : work(agent, pace)),
  });
}

/** The command the demo runs in tmux sessions (`--tmux` with fake agents). */
export function demoTuiCommand(spec: AgentSpec): string[] {
  const program = fileURLToPath(new URL('../bin/demo-agent-tui.mjs', import.meta.url));
  return [process.execPath, program, spec.prompt.split('\n')[0]?.slice(0, 120) ?? ''];
}

// orcha's manager system prompt opens with this phrase (packages/core/src/prompts.ts).
const isManager = (spec: AgentSpec) => spec.systemPrompt?.startsWith('You are the manager') ?? false;

interface SessionSummary {
  id: string;
  title: string;
  role: 'manager' | 'worker';
  status: string;
  pullRequestId: string | null;
}

const terminal = new Set(['completed', 'failed', 'canceled']);

async function manage(agent: FakeAgent, pace: number, workerAgent: string | undefined): Promise<string> {
  const list = async () =>
    ((await agent.callTool('list_sessions')) as { sessions: SessionSummary[] }).sessions;
  agent.usage({ inputTokens: 1_800, outputTokens: 240, costUsd: 0.012, modelCalls: 1 });
  const before = await list();
  // A manager resumed after a restart has lost its conversation in this fake: its own row has the title.
  const own = before.find((session) => session.role === 'manager')?.title.replace(/^Manager: /, '');
  const title = (agent.resumed && own ? own : agent.prompt.split('\n')[0])?.slice(0, 80) || 'the objective';
  const brief = agent.resumed ? title : agent.prompt;
  const plan = [
    { title: `Implement: ${title}`, prompt: `Implement this change and commit it:\n\n${brief}` },
    {
      title: `Document: ${title}`,
      prompt: `Document this change for users (README section), then commit:\n\n${brief}`,
    },
    {
      title: `Plan the rollout: ${title}`,
      prompt: `Plan how to roll this change out; ask the person what you cannot decide:\n\n${brief}`,
    },
  ].map((step) => ({ ...step, title: step.title.slice(0, 200) }));
  // Each worker once, also when a restart came in the middle of spawning them.
  const missing = plan.filter(
    (step) => !before.some((session) => session.role === 'worker' && session.title === step.title),
  );
  if (missing.length > 0) {
    agent.say(`Plan for "${title}": one worker implements it, one documents it, one plans the rollout.`);
    await agent.sleep(400 * pace);
    for (const step of missing)
      await agent.callTool('spawn_session', { ...step, ...(workerAgent ? { agent: workerAgent } : {}) });
  }
  // Workers already published or pushed (after a restart too: the pull requests say which).
  const handled = new Set<string>();
  for (;;) {
    const { pullRequests: published } = (await agent.callTool('list_pull_requests')) as {
      pullRequests: { sessionId: string | null }[];
    };
    for (const pr of published) if (pr.sessionId) handled.add(pr.sessionId);
    const sessions = await list();
    for (const session of sessions) {
      if (session.role !== 'worker' || session.status !== 'completed' || handled.has(session.id)) continue;
      handled.add(session.id);
      if (session.pullRequestId) {
        await agent.callTool('update_pr', { pullRequestId: session.pullRequestId, sessionId: session.id });
        agent.say(`Pushed the follow-up "${session.title}" to its pull request.`);
      } else if (/^(Implement|Document): /.test(session.title)) {
        await agent.callTool('publish_pr', {
          sessionId: session.id,
          title: session.title.replace(/^\w+: /, ''),
        });
        agent.say(`Opened a pull request for "${session.title}".`);
      }
      agent.usage({ inputTokens: 900, outputTokens: 120, costUsd: 0.006, modelCalls: 1 });
    }
    const workers = sessions.filter((session) => session.role === 'worker');
    if (workers.length > 0 && workers.every((session) => terminal.has(session.status))) {
      const summary = `${workers.filter((w) => w.status === 'completed').length} of ${workers.length} workers finished; pull requests are open for review.`;
      await agent.callTool('mark_objective_done', { summary });
      return summary;
    }
    agent.say('Waiting for workers.');
    await agent.waitForInput();
  }
}

async function work(agent: FakeAgent, pace: number): Promise<string> {
  // An idle worker gives its slot back and is resumed with the person's answer: its task is the first prompt.
  const task = agent.resumed ? (agent.history[0] ?? agent.prompt) : agent.prompt;
  // A worker resumed after orcha restarted has lost its conversation in this fake: its title says its task.
  const title = /in the session "([^"]*)"/.exec(agent.spec.systemPrompt ?? '')?.[1] ?? '';
  const followup = task.startsWith('You are on the branch');
  const documenting = task.startsWith('Document') || title.startsWith('Document:');
  const planning = task.startsWith('Plan how') || title.startsWith('Plan the rollout:');
  const answered = agent.resumed && agent.prompt.startsWith('The person answered your question');
  agent.say(followup ? 'Reading the review feedback.' : 'Reading the code and planning the change.');
  agent.usage({ inputTokens: 2_400, outputTokens: 310, costUsd: 0.015, modelCalls: 1 });
  await agent.sleep(700 * pace);
  let decision = 'n/a';
  if (planning && answered) {
    decision = agent.prompt;
  } else if (planning) {
    // Asked again after a restart, the open question is the same one (orcha does not ask it twice).
    await agent.callTool('ask_user', {
      prompt: 'Roll this change out behind a feature flag, or ship it to everyone at once?',
      options: ['feature flag', 'everyone at once'],
    });
    agent.say('Asked the person how to roll out; waiting for the answer.');
    decision = await agent.waitForInput();
  }
  const file = followup ? 'REVIEW.md' : documenting ? 'DOCS.md' : planning ? 'ROLLOUT.md' : 'CHANGE.md';
  await agent.writeFile(
    file,
    `# ${task.split('\n')[0]}\n\nWritten by orcha's fake agent. Decision: ${decision}\n`,
  );
  await commitIfRepository(agent, file);
  agent.usage({ inputTokens: 4_100, outputTokens: 820, costUsd: 0.031, modelCalls: 2 });
  await agent.callTool('create_note', { title: `Done: ${file}`, body: `Wrote ${file} in the workspace.` });
  await agent.sleep(400 * pace);
  const result = followup ? `Addressed the feedback in ${file}.` : `Wrote ${file}.`;
  agent.say(result);
  return result;
}

async function commitIfRepository(agent: FakeAgent, file: string): Promise<void> {
  const inside = await agent.run('git', ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0) return;
  await agent.run('git', ['add', '--', file]);
  const identity = ['-c', 'user.name=orcha fake agent', '-c', 'user.email=fake-agent@orcha.invalid'];
  await agent.run('git', [...identity, 'commit', '--quiet', '-m', `Add ${file}`]);
}
