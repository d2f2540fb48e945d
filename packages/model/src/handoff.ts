import type { SessionRole, TranscriptMessage } from './entities.js';

/** A handoff prompt never exceeds this many tokens (by `estimateTokens`). */
export const handoffTokenLimit = 4_000;

/**
 * A conservative token count: one token per 3 characters. The models behind claude and codex average about
 * 4 characters per token on English and code, so a text within this estimate is within the real count.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** What git says of the session's workspace when the handoff is made; null parts could not be read. */
export interface HandoffWorkspace {
  path: string;
  branch: string | null;
  baseBranch: string | null;
  /** `git status --short`: uncommitted changes, one line per file. Null when the directory is not git. */
  status: string | null;
  /** `git diff --stat HEAD`: the size of the uncommitted changes. */
  diffStat: string | null;
  /** `git log --oneline origin/<base>..HEAD`: commits on the branch so far (orcha commits at turn ends). */
  commits: string | null;
}

/** Everything a handoff is built from: the session, the switch, its transcript's tail and its workspace. */
export interface HandoffInput {
  title: string;
  task: string;
  role: SessionRole;
  from: string;
  to: string;
  /** Why the session moves: "claude's usage is exhausted until …", "switched by the person". */
  reason: string;
  /** The last messages of the transcript, oldest first. */
  messages: readonly Pick<TranscriptMessage, 'kind' | 'text' | 'data'>[];
  workspace: HandoffWorkspace | null;
  /** Messages waiting for the session, which the new agent gets with the handoff. */
  pending: readonly string[];
}

/** Transcript messages that record a switch or a handoff: never repeated inside the next handoff. */
export function isHandoffRecord(message: Pick<TranscriptMessage, 'kind' | 'data'>): boolean {
  return message.kind === 'system' && message.data?.type === 'handoff';
}

/** Keeps the start and the end of a long text, saying how much was left out between them. */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 80) return text.slice(0, Math.max(0, max));
  const note = `\n… (${text.length - max} characters left out) …\n`;
  const keep = Math.max(0, max - note.length - 8);
  const head = Math.ceil(keep * 0.6);
  return `${text.slice(0, head)}${note}${text.slice(text.length - (keep - head))}`;
}

/**
 * As many of the last lines as fit in `max` characters (with the newlines between them), and a note of how
 * many earlier lines were left out. A newest line too long on its own keeps its start and end.
 */
function lastLines(lines: readonly string[], max: number): string[] {
  const room = max - 40; // the note
  const kept: string[] = [];
  let used = 0;
  let index = lines.length - 1;
  for (; index >= 0; index--) {
    const line = lines[index]!;
    if (used + line.length + 1 > room) break;
    kept.unshift(line);
    used += line.length + 1;
  }
  if (kept.length === 0 && index >= 0 && room >= 80) kept.unshift(clipMiddle(lines[index--]!, room - 1));
  const left = index + 1;
  if (left > 0 && max >= 40) kept.unshift(`(${left} earlier line${left === 1 ? '' : 's'} left out)`);
  return kept;
}

const oneLine = (text: string, max: number) => clipMiddle(text.replace(/\s+/g, ' ').trim(), max);

function workspaceSection(workspace: HandoffWorkspace, max: number): string {
  const where = workspace.branch
    ? `${workspace.path}, a git checkout on the branch ${workspace.branch}${workspace.baseBranch ? ` (from ${workspace.baseBranch})` : ''}`
    : workspace.path;
  const parts = [`The same directory as before: ${where}. The previous agent's changes are in it.`];
  if (workspace.status === null) parts.push('(git status could not be read here: not a git checkout.)');
  else {
    const share = Math.floor((max - parts[0]!.length) / 3);
    const block = (title: string, text: string | null, empty: string) =>
      `${title}:\n${text?.trim() ? lastLines(text.trim().split('\n'), share).join('\n') : empty}`;
    parts.push(block('Uncommitted (git status --short)', workspace.status, '(nothing uncommitted)'));
    parts.push(block('Size of the uncommitted changes (git diff --stat)', workspace.diffStat, '(none)'));
    parts.push(
      block(
        `Commits on the branch so far${workspace.baseBranch ? ` over ${workspace.baseBranch}` : ''}`,
        workspace.commits,
        '(none)',
      ),
    );
  }
  return clipMiddle(parts.join('\n'), max);
}

const labels: Partial<Record<TranscriptMessage['kind'], string>> = {
  user: 'message to the agent',
  assistant: 'agent',
  error: 'error',
  output: 'output',
  system: 'orcha',
};

/**
 * The prompt that lets another agent carry on a session mid-task: the task, the switch and why, the state of
 * the workspace (uncommitted changes, their size, the branch's commits), what was done (the tool calls, newest
 * kept), the last messages, and anything waiting for the session. Pure, and never longer than `limitTokens`
 * by `estimateTokens`: each part gets a share of what is left, long texts keep their start and end.
 */
export function buildHandoff(input: HandoffInput, limitTokens: number = handoffTokenLimit): string {
  const maxChars = limitTokens * 3;
  const header = [
    `You are taking over a session that was running on ${input.from}; orcha moved it to you (${input.to}) because ${oneLine(input.reason, 300)}.`,
    `Carry on with the task from where it stopped. Do not start over: check the workspace below and build on what is already there.${input.role === 'worker' ? ' End with a short summary of what was done.' : ''}`,
  ].join('\n');
  const footer = 'Continue now.';
  let left = maxChars - header.length - footer.length - 200;
  const sections: string[] = [header];
  const add = (title: string, body: string) => {
    const text = `\n## ${title}\n${body}`;
    sections.push(text);
    left -= text.length;
  };

  add(
    `The task: ${oneLine(input.title, 200)}`,
    clipMiddle(input.task.trim(), Math.floor(Math.min(3_000, left * 0.35))),
  );
  if (input.workspace)
    add('The workspace', workspaceSection(input.workspace, Math.floor(Math.min(2_000, left * 0.3))));

  const pending = input.pending.map((text) => `- ${oneLine(text, 1_000)}`);
  const pendingBudget = Math.min(1_500, left * 0.25);
  const pendingLines = pending.length ? lastLines(pending, pendingBudget) : [];

  const history = input.messages.filter((message) => !isHandoffRecord(message));
  const done = history
    .filter((message) => message.kind === 'tool_call')
    .map((message) => `- ${oneLine(message.text, 160)}`);
  if (done.length)
    add(
      'What was done (tool calls, newest last)',
      lastLines(done, Math.floor(Math.min(2_000, left * 0.4))).join('\n'),
    );

  const said = history
    .filter((message) => message.kind !== 'tool_call' && message.kind !== 'tool_result')
    .map((message) => `[${labels[message.kind] ?? message.kind}] ${clipMiddle(message.text.trim(), 1_200)}`);
  const lastBudget = left - pendingLines.join('\n').length - 60;
  if (said.length && lastBudget > 100)
    add('The last messages (oldest first)', lastLines(said, lastBudget).join('\n'));
  if (pendingLines.length) add('Messages for you that arrived meanwhile', pendingLines.join('\n'));

  const prompt = `${sections.join('\n')}\n\n${footer}`;
  // The shares above keep within the limit; this guards it whatever the inputs were.
  return prompt.length <= maxChars ? prompt : clipMiddle(prompt, maxChars);
}
