import type { AgentSpec, FakeAgent, FakeScript } from '@orcha/agent';

/** orcha's manager system prompt opens with this phrase (packages/core/src/prompts.ts). */
export const isManager = (spec: AgentSpec) => spec.systemPrompt?.startsWith('You are the manager') ?? false;

/** One script for managers, another for workers. */
export function byRole(scripts: { manager: FakeScript; worker: FakeScript }): FakeScript {
  return (agent) => (isManager(agent.spec) ? scripts.manager(agent) : scripts.worker(agent));
}

export interface SessionSummary {
  id: string;
  title: string;
  role: 'manager' | 'worker';
  status: string;
  pullRequestId: string | null;
  result: string | null;
}

export const listSessions = async (agent: FakeAgent) =>
  ((await agent.callTool('list_sessions')) as { sessions: SessionSummary[] }).sessions;

const terminal = new Set(['completed', 'failed', 'canceled']);

/** Waits (on messages from orcha) until every worker of the objective has ended. */
export async function untilWorkersEnd(agent: FakeAgent): Promise<SessionSummary[]> {
  for (;;) {
    const workers = (await listSessions(agent)).filter((session) => session.role === 'worker');
    if (workers.length > 0 && workers.every((worker) => terminal.has(worker.status))) return workers;
    await agent.waitForInput();
  }
}

/** A worker that writes one file and reports it. */
export const writeOneFile: FakeScript = async (agent) => {
  const name = `${agent.spec.sessionId}.txt`;
  await agent.writeFile(name, agent.prompt);
  agent.usage({ inputTokens: 100, outputTokens: 20, modelCalls: 1 });
  return `wrote ${name}`;
};
