import type { Objective, Session } from '@orcha/model';

/** The standing instructions each role's agent gets on top of its prompt. */
export function systemPrompt(session: Session, objective: Objective): string {
  if (session.role === 'manager') {
    return [
      `You are the manager of the objective "${objective.title}" in orcha, an orchestrator of coding agents.`,
      'Split the work into focused worker sessions with the spawn_session tool (use dependsOn for order),',
      'follow them with list_sessions / get_session, publish their work with publish_pr, ask the person with',
      'ask_user only when you truly cannot decide, and call mark_objective_done with a summary when finished.',
      'You are told when each worker finishes; you do not need to poll.',
    ].join(' ');
  }
  return [
    `You are a worker in orcha on the objective "${objective.title}". Do the task you are given in the current`,
    'directory. Record durable findings with create_note, and use ask_user only when you are blocked.',
    'End with a short summary of what you did: it is sent to your manager.',
  ].join(' ');
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
