import {
  agentNameSchema,
  type BudgetLimits,
  clampLimits,
  type Objective,
  OrchaError,
  type Session,
  sessionMachine,
  type WorkspaceKind,
} from '@orcha/model';
import { resolveBaseBranch } from './base-branch.js';
import { objectiveBudget, sessionBudget } from './budgets.js';
import type { Context } from './context.js';
import { cancelSession } from './session-control.js';
import { report } from './session-status.js';

export interface SpawnRequest {
  prompt: string;
  title?: string | undefined;
  agent?: string | undefined;
  dependsOn?: string[] | undefined;
  target?: string | undefined;
  workspace?: WorkspaceKind | undefined;
  repo?: string | undefined;
  baseBranch?: string | undefined;
  /** At most what the objective has left; absent: the configured default, lowered to what is left. */
  budget?: BudgetLimits | undefined;
}

/** Refused before anything is stored when the agent is unknown or the forge cannot see the repository. */
export async function createObjective(
  ctx: Context,
  input: {
    title: string;
    prompt: string;
    repo?: string | null;
    baseBranch?: string | null;
    agent?: string | null;
    budget?: BudgetLimits | null;
  },
): Promise<{ objective: Objective; manager: Session }> {
  const agent = input.agent ?? ctx.config.defaultAgent;
  requireAgent(ctx, agent);
  const repo = input.repo ?? null;
  const baseBranch = repo ? await resolveBaseBranch(ctx, repo, input.baseBranch) : (input.baseBranch ?? null);
  const created = ctx.store.createObjective({
    title: input.title,
    prompt: input.prompt,
    repo,
    baseBranch,
    agent,
    interactivity: ctx.providers.get(agent)!.interactivity,
    budget: objectiveBudget(ctx, input.budget),
    managerBudget: managerBudget(ctx, objectiveBudget(ctx, input.budget)),
  });
  ctx.probe?.('objective-written');
  ctx.wake();
  return created;
}

/** The manager's budget: the configured session default, within the objective's budget. */
function managerBudget(ctx: Context, objective: BudgetLimits | null): BudgetLimits | null {
  const fallback = ctx.config.budgets.session;
  if (!fallback) return null;
  return objective ? clampLimits(fallback, objective) : fallback;
}

/** A worker spawned by a manager, in the manager's objective. */
export function spawnSession(ctx: Context, caller: Session, request: SpawnRequest): Session {
  const objective = ctx.store.getObjective(caller.objectiveId);
  if (objective.status !== 'active')
    throw new OrchaError('conflict', `objective ${objective.id} is ${objective.status}`);
  const agent = request.agent ?? objective.agent;
  requireAgent(ctx, agent);
  if (request.target && !ctx.store.findTarget(request.target)) {
    throw new OrchaError('invalid_argument', `no target named ${request.target}`);
  }
  const repo = request.repo ?? null;
  const budget = sessionBudget(ctx, objective, request.budget);
  const session = ctx.store.createSession({
    objectiveId: caller.objectiveId,
    parentId: caller.id,
    role: 'worker',
    agent,
    title: request.title ?? request.prompt.split('\n')[0]!.slice(0, 120),
    prompt: request.prompt,
    dependsOn: request.dependsOn ?? [],
    pinnedTarget: request.target ?? null,
    workspaceKind: request.workspace ?? ((repo ?? objective.repo) ? 'isolated' : 'scratch'),
    repo,
    baseBranch: request.baseBranch ?? null,
    interactivity: ctx.providers.get(agent)!.interactivity,
    budget,
  });
  ctx.probe?.('session-spawned');
  ctx.wake();
  return session;
}

function requireAgent(ctx: Context, agent: string): void {
  const parsed = agentNameSchema.safeParse(agent);
  if (!parsed.success || !ctx.providers.has(agent)) {
    throw new OrchaError(
      'invalid_argument',
      `unknown agent ${agent}; configured: ${[...ctx.providers.keys()].join(', ')}`,
    );
  }
}

/** Ends an objective as done: its manager completes and any session still going is canceled. */
export async function markObjectiveDone(ctx: Context, caller: Session, summary: string): Promise<Objective> {
  const objective = ctx.store.updateObjectiveStatus(caller.objectiveId, 'done', summary);
  ctx.probe?.('objective-done');
  ctx.store.updateSession(caller.id, { result: summary });
  // The manager's process answers this tool call and ends its turn; the driver then stops it.
  report(ctx, caller.id, { type: 'objective-done' });
  await endOthers(ctx, caller.objectiveId, caller.id, 'the objective is done');
  return objective;
}

export async function cancelObjective(ctx: Context, objectiveId: string, reason: string): Promise<Objective> {
  const objective = ctx.store.getObjective(objectiveId);
  if (objective.status !== 'active')
    throw new OrchaError('invalid_transition', `objective ${objectiveId} is ${objective.status}`);
  const updated = ctx.store.updateObjectiveStatus(objectiveId, 'canceled', reason);
  await endOthers(ctx, objectiveId, null, reason);
  return updated;
}

export async function endOthers(
  ctx: Context,
  objectiveId: string,
  except: string | null,
  reason: string,
): Promise<void> {
  const open = ctx.store
    .listSessions({ objectiveId })
    .filter((session) => session.id !== except && !sessionMachine.isTerminal(session.status));
  await Promise.all(open.map((session) => cancelSession(ctx, session.id, reason)));
  for (const question of ctx.store.listQuestions({ status: 'open', objectiveId }))
    ctx.store.withdrawQuestion(question.id);
}
