import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClaudeTerminal } from '@orcha/agent-claude';
import { createCodexTerminal } from '@orcha/agent-codex';
import { createTmuxProvider } from '@orcha/agent-tmux';
import { createLocalExecutor } from '@orcha/exec';
import {
  type AnthropicRequest,
  anthropicReply,
  type ClaudeCliEnvironment,
  type CodexHome,
  claudeCliPath,
  codexCliPath,
  createClaudeCliEnvironment,
  createCodexHome,
  createPrivateTmux,
  createTempDir,
  type FakeAnthropic,
  type FakeGitHub,
  type FakeOpenAI,
  type GitHttpServer,
  git,
  lastUserText,
  mcpToolCall,
  type PrivateTmux,
  pendingToolResults,
  type ResponsesRequest,
  seedRepo,
  startFakeAnthropic,
  startFakeGitHub,
  startFakeOpenAI,
  startGitHttpServer,
  type TempDir,
} from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { type RunningServer, startServer } from '../src/server.js';
import { until } from './until.js';

// `--tmux` with real agents: the real claude TUI as manager and the real codex TUI as its worker, each in
// an attachable tmux session, on fake models. Nothing answers their dialogs but orcha.
let anthropic: FakeAnthropic;
let claudeHome: ClaudeCliEnvironment;
let openai: FakeOpenAI;
let codexHome: CodexHome;
let tmux: PrivateTmux;
let dir: TempDir;
let server: RunningServer;
const token = 'ghp_tmux_agents_token';
let gitServer: GitHttpServer;
let github: FakeGitHub;
let repoUrl: string;

/** Two lines: the prompt reaches the TUI as a bracketed paste, then Enter. */
const objectivePrompt = 'Leave a note that says the release is ready.\nOne worker is enough.';

/**
 * The manager's model: spawn a codex worker; when told it finished, publish its work as a pull request,
 * then mark the objective done.
 */
function managerModel(request: AnthropicRequest) {
  const results = pendingToolResults(request);
  if (results.length > 0) {
    const said = JSON.stringify(results);
    if (said.includes('"objectiveId"')) return anthropicReply.text('The objective is done.');
    if (said.includes('/pull/') && !results.some((result) => result.is_error))
      return anthropicReply.toolUse('mcp__orcha__mark_objective_done', { summary: 'The note is written.' });
    return anthropicReply.text(`Waiting for the worker. ${said.slice(0, 500)}`);
  }
  const last = lastUserText(request) ?? '';
  const finished = /^Worker (ses_\w+) "Write the note" completed/.exec(last);
  if (finished) {
    return anthropicReply.toolUse('mcp__orcha__publish_pr', {
      sessionId: finished[1],
      title: 'Release note',
      body: 'Adds release.txt.',
    });
  }
  if (last.includes(objectivePrompt)) {
    return anthropicReply.toolUse('mcp__orcha__spawn_session', {
      title: 'Write the note',
      prompt: 'Write the release note with create_note.',
      agent: 'codex',
    });
  }
  return anthropicReply.text('ok');
}

/**
 * The worker's model: write release.txt with codex's shell tool (never committing), one create_note call
 * over MCP, then a summary. Side requests get a short answer.
 */
function workerModel(request: ResponsesRequest) {
  const last = request.lastUserText ?? '';
  if (!last.includes('Write the release note')) {
    return { kind: 'output' as const, items: [{ type: 'message' as const, text: 'Release note' }] };
  }
  if (request.toolOutputs.length === 0) {
    return {
      kind: 'output' as const,
      items: [
        {
          type: 'function_call' as const,
          name: 'exec_command',
          arguments: { cmd: "printf 'the release is ready\\n' > release.txt" },
        },
      ],
    };
  }
  if (request.toolOutputs.length === 1) {
    return {
      kind: 'output' as const,
      items: [mcpToolCall('orcha', 'create_note', { title: 'Release', body: 'The release is ready.' })],
    };
  }
  return { kind: 'output' as const, items: [{ type: 'message' as const, text: 'Wrote the release note.' }] };
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ handler: managerModel });
  claudeHome = await createClaudeCliEnvironment({ baseUrl: anthropic.url });
  // A HOME whose onboarding is done (a fresh one stops at a sign-in that needs Anthropic's servers).
  const claudeConfig = claudeHome.env.CLAUDE_CONFIG_DIR!;
  await mkdir(claudeConfig, { recursive: true });
  await writeFile(join(claudeConfig, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true }));
  openai = await startFakeOpenAI({ handler: workerModel });
  codexHome = await createCodexHome(openai);
  tmux = createPrivateTmux('tmux-agents');
  dir = await createTempDir('orcha-tmux-agents-');
  gitServer = await startGitHttpServer({ token });
  github = await startFakeGitHub(gitServer, { token });
  repoUrl = await gitServer.createRepo('acme/app');
  await seedRepo(join(dir.path, 'seed'), gitServer.repoPath('acme/app'));
  const flags = ['--port', '0', '--data-dir', join(dir.path, 'data'), '--no-demo', '--real-forge'];
  const config = parseConfig(
    [...flags, '--schedule-interval', '200ms', '--tmux', '--tmux-socket', tmux.socketName],
    {},
  );
  server = await startServer(
    { ...config, githubUrl: github.url, githubToken: token },
    {
      // What `--agents auto --tmux` builds, with the test's CLI paths and homes.
      providers: {
        claude: createTmuxProvider({
          name: 'claude',
          socketName: tmux.socketName,
          terminal: createClaudeTerminal({ command: claudeCliPath, env: claudeHome.env }),
        }),
        codex: createTmuxProvider({
          name: 'codex',
          socketName: tmux.socketName,
          terminal: createCodexTerminal({
            command: codexCliPath,
            env: codexHome.env,
            config: codexHome.config as never,
            model: codexHome.model,
          }),
        }),
      },
    },
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  await tmux?.kill();
  await Promise.all([anthropic?.stop(), openai?.stop(), github?.stop(), gitServer?.stop()]);
  await Promise.all([claudeHome?.remove(), codexHome?.remove(), dir?.remove()]);
});

describe('real TUI agents in tmux', () => {
  it('a claude TUI manager spawns a codex TUI worker over MCP, publishes its change as a pull request and marks the objective done', async () => {
    const { store } = server.orchestrator;
    const { objective, manager } = await server.orchestrator.createObjective({
      title: 'Release',
      prompt: objectivePrompt,
      repo: repoUrl,
      agent: 'claude',
    });
    const managerAttach = await until(store, () => store.getSession(manager.id).attachCommand, {
      timeoutMs: 30_000,
    });
    expect(managerAttach).toBe(`tmux -L ${tmux.socketName} attach -t orcha-${manager.id}`);

    // The manager got past its dialogs, read the prompt and used orcha's tools: a codex worker exists.
    const worker = await until(
      store,
      () => store.listSessions({ objectiveId: objective.id, role: 'worker' })[0],
      { timeoutMs: 120_000 },
    ).catch(async (error: Error) => {
      const screen = await server.orchestrator.snapshot(manager.id).catch(String);
      const requests = anthropic.requests.map((request) => JSON.stringify(request.messages).slice(-300));
      const session = store.getSession(manager.id);
      const transcript = store
        .listMessages(manager.id, { after: 0, limit: 1000 })
        .map((message) => `${message.kind}: ${message.text}`)
        .join('')
        .slice(-3000);
      throw new Error(
        `${error.message}\nmanager ${session.status} (${session.statusReason}); screen:\n${screen}\n` +
          `transcript tail:\n${transcript}\nmodel requests:\n${requests.join('\n')}`,
      );
    });
    expect(worker).toMatchObject({ title: 'Write the note', agent: 'codex', parentId: manager.id });
    await until(store, () => store.getSession(worker.id).attachCommand, { timeoutMs: 60_000 });
    expect((await tmux.tmux(['has-session', '-t', `=orcha-${worker.id}`])).code).toBe(0);

    // The worker's TUI called create_note over MCP, and its turn ended: the worker is complete.
    const note = await until(store, () => store.listNotes({ objectiveId: objective.id })[0], {
      timeoutMs: 120_000,
    });
    expect(note).toMatchObject({ title: 'Release', body: 'The release is ready.' });
    await until(store, () => store.getSession(worker.id).status === 'completed', { timeoutMs: 60_000 });
    expect(store.getSession(worker.id).result).toBe('Wrote the release note.');

    // orcha typed the news into the manager's TUI; its model published the worker's change and marked the
    // objective done. The file codex wrote (and did not commit) is on the pull request's head.
    await until(store, () => store.getObjective(objective.id).status === 'done', { timeoutMs: 120_000 });
    expect(store.getObjective(objective.id).summary).toBe('The note is written.');
    const [pr] = store.listPullRequests({ objectiveId: objective.id });
    expect(pr).toMatchObject({ sessionId: worker.id, baseBranch: 'main', state: 'open' });
    const bare = gitServer.repoPath('acme/app');
    expect((await git(['rev-parse', `refs/heads/${pr!.branch}`], { cwd: bare })).trim()).toBe(pr!.headSha);
    expect(await git(['show', `${pr!.branch}:release.txt`], { cwd: bare })).toBe('the release is ready\n');
    // The models saw orcha's system prompts: the TUIs were launched like the headless CLIs.
    expect(anthropic.requests.some((request) => request.system.includes('You are the manager'))).toBe(true);
    const workerCall = openai.modelCalls().find((call) => call.toolOutputs.length > 0)!;
    expect(JSON.stringify(workerCall.body)).toContain('You are a worker in orcha');
    expect(store.listQuestions({ status: 'open' })).toEqual([]);
    // The objective's end stops both TUIs and removes their tmux sessions.
    for (const session of [manager, worker]) {
      await until(store, () => server.orchestrator.liveRun(session.id) === null, {
        timeoutMs: 30_000,
        pollMs: 100,
      });
      expect((await tmux.tmux(['has-session', '-t', `=orcha-${session.id}`])).code).toBe(1);
    }
  }, 420_000);

  it('leaves the trust question of a directory orcha did not make to a person', async () => {
    const claude = createTmuxProvider({
      name: 'claude',
      socketName: tmux.socketName,
      terminal: createClaudeTerminal({ command: claudeCliPath, env: claudeHome.env }),
    });
    const elsewhere = await createTempDir('orcha-not-a-workspace-');
    const run = await claude.start({
      sessionId: 'ses_untrusted',
      prompt: 'say untouched',
      cwd: elsewhere.path,
      executor: createLocalExecutor(),
      trustedWorkspace: false,
    });
    try {
      let attention: { message: string; screen: string } | undefined;
      for await (const event of run.events) {
        if (event.type === 'attention') {
          attention = event;
          break;
        }
      }
      expect(attention!.message).toContain('workspace-trust');
      expect(attention!.message).toContain(run.attachCommand!);
      expect(attention!.screen).toContain('Yes, I trust this folder');
      // Still asking, with its own default untouched, and the prompt not typed into the dialog.
      const screen = await run.snapshot!();
      expect(screen).toMatch(/❯ No, exit/);
      expect(
        anthropic.requests.some((request) => JSON.stringify(request.messages).includes('untouched')),
      ).toBe(false);
    } finally {
      await run.cancel();
      await elsewhere.remove();
    }
  }, 120_000);

  it('opens a question, with the screen and how to attach, when an agent shows a screen orcha cannot read', async () => {
    const program = join(dir.path, 'unknown-dialog.mjs');
    await writeFile(
      program,
      "process.stdout.write('Choose a colour:\\r\\n❯ red\\r\\n  blue\\r\\n'); setInterval(() => {}, 1000);\n",
    );
    const running = await startServer(
      parseConfig(['--port', '0', '--data-dir', join(dir.path, 'second'), '--no-demo'], {}),
      {
        providers: {
          odd: createTmuxProvider({
            name: 'odd',
            socketName: tmux.socketName,
            unknownScreenMs: 500,
            terminal: {
              launch: async () => ({ command: ['node', program], env: {}, cleanup: async () => {} }),
              readScreen: () => ({ kind: 'unknown' }),
            },
          }),
        },
      },
    );
    try {
      const { store } = running.orchestrator;
      const { manager } = await running.orchestrator.createObjective({
        title: 'Odd',
        prompt: 'go',
        agent: 'odd',
      });
      const question = await until(store, () => store.listQuestions({ status: 'open' })[0], {
        timeoutMs: 60_000,
      });
      expect(question).toMatchObject({ sessionId: manager.id, kind: 'ask_user' });
      expect(question.prompt).toContain('Choose a colour:');
      expect(question.prompt).toContain(`tmux -L ${tmux.socketName} attach -t orcha-${manager.id}`);
      await running.orchestrator.cancelObjective(question.objectiveId);
      await until(store, () => running.orchestrator.liveRun(manager.id) === null, {
        timeoutMs: 30_000,
        pollMs: 100,
      });
    } finally {
      await running.close();
    }
  }, 120_000);
});
