import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { AgentProvider } from '@orcha/agent';
import { createClaudeProvider, createClaudeTerminal } from '@orcha/agent-claude';
import { createCodexProvider, createCodexTerminal } from '@orcha/agent-codex';
import { createTmuxProvider } from '@orcha/agent-tmux';
import type { Logger } from '@orcha/core';
import { createLocalExecutor, type Executor } from '@orcha/exec';
import { createSshExecutorPool } from '@orcha/exec-ssh';
import { createFakeForge, type FakeForge, type Forge } from '@orcha/forge';
import { createGitHubForge, githubToken, parseRepo } from '@orcha/forge-github';
import type { Target } from '@orcha/model';
import { createScratchPreparer, createWorkspacePreparer, type Preparer } from '@orcha/workspace';
import { acpProviders } from './acp-agents.js';
import type { ServerConfig } from './config.js';
import { createDemoProvider, demoTuiCommand } from './demo-agents.js';
import { profileProviders } from './profiles.js';

export interface Backends {
  providers: Record<string, AgentProvider>;
  defaultAgent: string;
  fake: boolean;
  forge: Forge;
  /** Set when the forge is the in-memory fake, so the demo can play the reviewer. */
  fakeForge: FakeForge | null;
  forgeName: string;
  preparer: Preparer;
  /** The pooled executor of an SSH target (one connection per target, host keys in `<dataDir>/known_hosts`). */
  sshExecutor: ((target: Target) => Executor) | null;
  /**
   * Reads again what another replica may have changed since this one started (the fake forge's file): called
   * when this replica starts leading.
   */
  reload(): void;
  close(): Promise<void>;
}

function onPath(searchPath: string, binary: string): boolean {
  return searchPath.split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
}

/** Picks agents, forge and preparer from the flags: fakes by default, real ones one flag away. */
export async function chooseBackends(config: ServerConfig, log: Logger): Promise<Backends> {
  const providers: Record<string, AgentProvider> = {};
  const fake = config.agents === 'fake';
  const tmuxSocket = config.tmuxSocket ?? `orcha-${process.getuid?.() ?? 'user'}`;
  if (fake) {
    // With --tmux the scripted manager stays headless (it drives orcha's tools) and its workers run in tmux.
    const demo = createDemoProvider({ workerAgent: config.tmux ? 'tmux' : undefined });
    for (const name of ['fake', 'claude', 'codex']) providers[name] = demo;
    if (config.tmux) {
      // Workers become attachable tmux sessions running a small scripted terminal program.
      const tmux = createTmuxProvider({ name: 'tmux', socketName: tmuxSocket, command: demoTuiCommand });
      providers.tmux = tmux;
    }
  } else {
    const wantClaude =
      config.agents === 'claude' || (config.agents === 'auto' && onPath(config.searchPath, 'claude'));
    const wantCodex =
      config.agents === 'codex' || (config.agents === 'auto' && onPath(config.searchPath, 'codex'));
    // In tmux the TUIs get the same options as the headless CLIs (MCP, system prompt, permission mode).
    if (wantClaude) {
      providers.claude = config.tmux
        ? createTmuxProvider({ name: 'claude', socketName: tmuxSocket, terminal: createClaudeTerminal() })
        : createClaudeProvider({});
    }
    if (wantCodex) {
      providers.codex = config.tmux
        ? createTmuxProvider({ name: 'codex', socketName: tmuxSocket, terminal: createCodexTerminal() })
        : createCodexProvider({});
    }
    Object.assign(
      providers,
      acpProviders(
        (name, binary) =>
          config.agents === name || (config.agents === 'auto' && onPath(config.searchPath, binary)),
        config.acpAgents,
      ),
    );
  }
  // The config file's profiles come on top, by their own names (a profile named `claude` replaces the default).
  Object.assign(providers, profileProviders(config.profiles, tmuxSocket));
  if (!fake && Object.keys(providers).length === 0) {
    throw new Error(
      'no agent CLI found on the PATH (claude, codex, gemini or claude-agent-acp); install one or run with --agents fake',
    );
  }
  const defaultAgent =
    config.defaultAgent ??
    config.profiles[0]?.name ??
    (fake ? 'fake' : (Object.keys(providers)[0] ?? 'claude'));
  for (const [agent, chain] of Object.entries(config.fallbacks))
    for (const name of [agent, ...chain])
      if (!providers[name])
        throw new Error(
          `config: fallbacks.${agent} names ${name}, which is no agent here (${Object.keys(providers).join(', ')})`,
        );
  if (!providers[defaultAgent])
    throw new Error(
      `config: defaultAgent ${defaultAgent} is no agent here (${Object.keys(providers).join(', ')})`,
    );
  const ssh = createSshExecutorPool({
    knownHostsFile: join(config.dataDir, 'known_hosts'),
    // Hosts the user already trusts with ssh are trusted here too; orcha only ever writes its own file.
    extraKnownHostsFiles: [join(homedir(), '.ssh', 'known_hosts')],
    defaultIdentityFiles: ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name)),
  });
  const chosen = config.realForge ? await realForge(config, log) : null;
  const fakeForgeFile = join(config.dataDir, 'fake-forge.json');
  const fakeForge = chosen ? null : persistentFakeForge(fakeForgeFile, log);
  return {
    providers,
    defaultAgent,
    fake,
    forge: chosen?.forge ?? fakeForge!,
    fakeForge,
    forgeName: chosen ? 'github' : 'fake',
    preparer: chosen?.preparer ?? createScratchPreparer(),
    sshExecutor: (target) => ssh.executorFor(target),
    reload() {
      if (fakeForge) restoreFakeForge(fakeForge, fakeForgeFile, log);
    },
    async close() {
      ssh.close();
    },
  };
}

/** The in-memory forge, kept in a JSON file beside the database so its pull requests outlive a restart. */
function persistentFakeForge(file: string, log: Logger): FakeForge {
  // No repository is real offline: every name is one, with default branch `main`.
  const forge = createFakeForge({ anyRepository: true });
  restoreFakeForge(forge, file, log);
  forge.onChange(() => {
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify(forge.snapshot()));
    renameSync(temporary, file);
  });
  return forge;
}

function restoreFakeForge(forge: FakeForge, file: string, log: Logger): void {
  if (!existsSync(file)) return;
  try {
    forge.restore(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    log('warn', `ignoring the fake forge's saved state in ${file}`, { error: String(error) });
  }
}

/** Where git reaches the repositories of a GitHub REST API: github.com for api.github.com, else its host. */
function gitBaseUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

/**
 * `--real-forge`: GitHub pull requests through its REST API, pushes with the token, and real git checkouts
 * (isolated and pr_branch) that authenticate with the same token — only towards the GitHub host.
 */
async function realForge(config: ServerConfig, log: Logger): Promise<{ forge: Forge; preparer: Preparer }> {
  const token = await githubToken({ GITHUB_TOKEN: config.githubToken }, createLocalExecutor());
  if (!token) {
    throw new Error(
      '--real-forge needs a GitHub token: set GITHUB_TOKEN (or GH_TOKEN), or log in with `gh auth login`',
    );
  }
  const apiUrl = config.githubUrl ?? 'https://api.github.com';
  const gitBase = gitBaseUrl(apiUrl);
  const gitHost = new URL(gitBase).hostname;
  const cloneUrl = (repo: string) => {
    const { owner, name } = parseRepo(repo);
    return `${gitBase}/${owner}/${name}.git`;
  };
  const tokenFor = (url: string) => {
    try {
      return new URL(url).hostname === gitHost ? token : null;
    } catch {
      return null; // scp-like ssh URLs (git@host:owner/name) authenticate with ssh keys
    }
  };
  log('info', `real forge: GitHub at ${apiUrl}, repositories at ${gitBase}`);
  return {
    forge: createGitHubForge({ token, baseUrl: apiUrl, cloneUrl }),
    preparer: createWorkspacePreparer({ git: { cloneUrl, token: tokenFor } }),
  };
}
