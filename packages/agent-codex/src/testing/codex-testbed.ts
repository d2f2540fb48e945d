import { readdirSync, readFileSync } from 'node:fs';
import type { AgentProvider, AgentSpec } from '@orcha/agent';
import { createRecordingSpecs } from '@orcha/agent/testing';
import {
  type CodexHome,
  codexCliPath,
  createCodexHome,
  createTempDir,
  type FakeOpenAI,
  mcpToolCall,
  type ResponsesHandler,
  type ResponsesRequest,
  startFakeOpenAI,
  type TempDir,
} from '@orcha/testkit';
import { type CodexProviderSettings, createCodexProvider } from '../index.js';

/** The real Codex CLI against a fake model: server, throwaway home, work dir, provider and spec maker. */
export interface CodexTestbed {
  readonly server: FakeOpenAI;
  readonly home: CodexHome;
  readonly workdir: string;
  readonly provider: AgentProvider;
  spec(sessionId: string, prompt: string, extra?: Partial<AgentSpec>): AgentSpec;
  /** Whether any process the provider started for this session is still alive. */
  isRunning(sessionId: string): Promise<boolean>;
  /** Pids of live processes running with this testbed's CODEX_HOME, wherever their process group. */
  codexProcesses(): number[];
  teardown(): Promise<void>;
}

export async function createCodexTestbed(
  options: { handler?: ResponsesHandler; settings?: CodexProviderSettings } = {},
): Promise<CodexTestbed> {
  const server = await startFakeOpenAI({ handler: options.handler ?? promptLanguageHandler });
  const home = await createCodexHome(server);
  let workdir: TempDir | undefined;
  try {
    workdir = await createTempDir('orcha-codex-work-');
  } catch (error) {
    await Promise.all([server.stop(), home.remove()]);
    throw error;
  }
  const provider = createCodexProvider({
    command: codexCliPath,
    env: home.env,
    config: home.config as CodexProviderSettings['config'],
    ...options.settings,
  });
  const path = workdir.path;
  const specs = createRecordingSpecs(path);
  return {
    server,
    home,
    workdir: path,
    provider,
    spec: specs.spec,
    isRunning: async (sessionId) => specs.isRunning(sessionId),
    codexProcesses: () => processesWithEnv(`CODEX_HOME=${home.env.CODEX_HOME}`),
    async teardown() {
      await server.stop();
      await Promise.all([home.remove(), workdir?.remove()]);
    },
  };
}

/**
 * The provider contract's prompt language, spoken by the fake model: `say <words>`, `recall` (every
 * earlier `say` of the conversation, read from the request's history), `hang`, `crash`, and
 * `tool <name> <json>` (calls that tool on the `orcha` MCP server, then answers with its output).
 */
export const promptLanguageHandler: ResponsesHandler = (request) => {
  const prompt = (request.lastUserText ?? '').trim();
  const [command = ''] = prompt.split(/\s+/);
  const argument = prompt.slice(command.length).trim();
  switch (command) {
    case 'say':
      return answer(argument);
    case 'recall':
      return answer(earlierSays(request).join(' '));
    case 'hang':
      return { kind: 'hang' };
    case 'crash':
      return { kind: 'failed', message: 'the model service failed (scripted crash)' };
    case 'tool': {
      if (request.continuingAfterTool) return answer(request.toolOutputs.at(-1)?.output ?? '');
      const [name = '', ...json] = argument.split(/\s+/);
      return {
        kind: 'output',
        items: [mcpToolCall('orcha', name, json.length ? JSON.parse(json.join(' ')) : {})],
      };
    }
    default:
      return answer(`ok: ${prompt.split('\n')[0] ?? ''}`);
  }
};

function answer(text: string) {
  return { kind: 'output' as const, items: [{ type: 'message' as const, text }] };
}

function earlierSays(request: ResponsesRequest): string[] {
  const users = request.messages.filter((message) => message.role === 'user').slice(0, -1);
  return users.flatMap((message) => {
    const match = /^\s*say\s+([\s\S]*)$/.exec(message.text);
    return match?.[1] ? [match[1].trim()] : [];
  });
}

/** Pids of live processes (zombies are left out: nobody may reap them here). */
function livePids(): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state !== 'Z' && state !== 'X') live.push(Number(entry));
    } catch {
      // Gone between listing and reading.
    }
  }
  return live;
}

function processesWithEnv(entry: string): number[] {
  return livePids().flatMap((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry) ? [pid] : [];
    } catch {
      return [];
    }
  });
}
