import type { Objective, Session, Workspace } from '@orcha/model';

/** The standing instructions each role's agent gets on top of its prompt. */
export function systemPrompt(
  session: Session,
  objective: Objective,
  workspace: Workspace | null = null,
): string {
  if (session.role === 'manager') {
    return [
      `You are the manager of the objective "${objective.title}" in orcha, an orchestrator of coding agents.`,
      'Split the work into focused worker sessions with the spawn_session tool (use dependsOn for order),',
      'follow them with list_sessions / get_session, ask the person with ask_user only when you truly cannot',
      'decide, and call mark_objective_done with a summary when finished.',
      'You are told when each worker finishes; you do not need to poll.',
      ...(objective.repo
        ? [
            `The work goes to the repository ${objective.repo}, base branch ${objective.baseBranch ?? 'its default branch'}:`,
            'each worker works in its own checkout on its own branch. When a worker finishes, publish its work',
            'with publish_pr (its sessionId, a title and a body): one pull request per worker unless you decide',
            'otherwise. orcha commits whatever the worker left uncommitted and pushes its branch. Later changes',
            'to an open pull request go out with update_pr.',
            'If publish_pr answers that the worker made no changes, there is nothing to publish: do not report',
            'the work as done; spawn a worker again with clearer instructions, or ask the person.',
          ]
        : []),
    ].join(' ');
  }
  return [
    `You are a worker in orcha on the objective "${objective.title}", in the session "${session.title}".`,
    'Do the task you are given.',
    ...workerWhere(workspace),
    'Record durable findings with create_note, and use ask_user only when you are blocked.',
    'End with a short summary of what you did: it is sent to your manager.',
  ].join(' ');
}

/** Where a worker works, and what becomes of its work there. */
function workerWhere(workspace: Workspace | null): string[] {
  if (!workspace) return ['Work in the current directory.'];
  if (workspace.kind === 'scratch' || !workspace.branch)
    return [`Work in ${workspace.path} (the current directory), a scratch directory without git.`];
  const base = workspace.baseBranch ? `, started from ${workspace.baseBranch}` : '';
  const becomes =
    workspace.kind === 'pr_branch'
      ? 'It is the branch of an open pull request: your commits update that pull request.'
      : 'This branch becomes a pull request.';
  return [
    `You work in ${workspace.path} (the current directory), a git checkout of ${workspace.repo ?? 'the repository'}`,
    `on the branch ${workspace.branch}${base}. ${becomes}`,
    'Change the files there, and commit your work on this branch with git when you are done; whatever you',
    'leave uncommitted is committed for you when your turn ends. Do not push and do not switch branches:',
    'orcha pushes and opens the pull request.',
  ];
}

/** The first prompt of a run; messages that arrived while it was queued follow the task. */
export function firstPrompt(session: Session, pending: readonly string[]): string {
  if (pending.length === 0) return session.prompt;
  return `${session.prompt}\n\nMessages received while you were queued:\n${pending.map((text) => `- ${text}`).join('\n')}`;
}

export function resumePrompt(pending: readonly string[]): string {
  return pending.length ? pending.join('\n\n') : 'orcha restarted your session. Continue where you left off.';
}

export function workerFinishedMessage(worker: Session): string {
  const result = worker.result ? `: ${worker.result.slice(0, 2_000)}` : '';
  const why = worker.status !== 'completed' && worker.statusReason ? ` (${worker.statusReason})` : '';
  return `Worker ${worker.id} "${worker.title}" ${worker.status}${why}${result}`;
}

/** What a manager is told when the machine its workers ran on rebooted. */
export function targetRebootedMessage(
  target: string,
  workers: readonly { title: string; resumed: boolean }[],
): string {
  const lines = workers.map(
    (worker) =>
      `- "${worker.title}": ${worker.resumed ? 'resumes its conversation there' : 'starts again from its task (it had no conversation to resume)'}`,
  );
  return `Target ${target} rebooted and every process on it was lost. Your workers there are back in the queue:\n${lines.join('\n')}`;
}
