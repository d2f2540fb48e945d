import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AgentProvider } from '@orcha/agent';
import { createClaudeProvider } from '@orcha/agent-claude';
import { createCodexProvider } from '@orcha/agent-codex';
import { createTmuxProvider } from '@orcha/agent-tmux';
import type { Logger } from '@orcha/core';
import type { Executor } from '@orcha/exec';
import { createFakeForge, type FakeForge, type Forge } from '@orcha/forge';
import type { Target } from '@orcha/model';
import { createScratchPreparer, type Preparer } from '@orcha/workspace';
import type { ServerConfig } from './config.js';
import { createDemoProvider, demoTuiCommand } from './demo-agents.js';

export interface Backends {
  providers: Record<string, AgentProvider>;
  defaultAgent: string;
  fake: boolean;
  forge: Forge;
  /** Set when the forge is the in-memory fake, so the demo can play the reviewer. */
  fakeForge: FakeForge | null;
  forgeName: string;
  preparer: Preparer;
  sshExecutor: ((target: Target) => Executor) | null;
  close(): Promise<void>;
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
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
    const wantClaude = config.agents === 'claude' || (config.agents === 'auto' && onPath('claude'));
    const wantCodex = config.agents === 'codex' || (config.agents === 'auto' && onPath('codex'));
    if (wantClaude) {
      providers.claude = config.tmux
        ? createTmuxProvider({ name: 'claude', socketName: tmuxSocket, command: () => ['claude'] })
        : createClaudeProvider({});
    }
    if (wantCodex) {
      providers.codex = config.tmux
        ? createTmuxProvider({ name: 'codex', socketName: tmuxSocket, command: () => ['codex'] })
        : createCodexProvider({});
    }
    if (Object.keys(providers).length === 0) {
      throw new Error(
        'no agent CLI found on the PATH (claude or codex); install one or run with --agents fake',
      );
    }
  }
  const defaultAgent = fake ? 'fake' : (Object.keys(providers)[0] ?? 'claude');
  if (config.realForge)
    log(
      'warn',
      '--real-forge needs @orcha/forge-github, which this build does not include yet; using the fake forge',
    );
  const fakeForge = createFakeForge();
  return {
    providers,
    defaultAgent,
    fake,
    forge: fakeForge,
    fakeForge,
    forgeName: 'fake',
    preparer: createScratchPreparer(),
    sshExecutor: null,
    async close() {},
  };
}
