import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deadProxyEnv } from './dead-proxy.js';
import { createTempDir } from './temp.js';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The real Gemini CLI (npm `@google/gemini-cli`): run as `node <this> --acp`. */
export const geminiCliPath = join(packageDir('@google/gemini-cli'), 'bundle', 'gemini.js');

/** The real Claude ACP adapter (npm `@agentclientprotocol/claude-agent-acp`): run as `node <this>`. */
export const claudeAcpPath = join(packageDir('@agentclientprotocol/claude-agent-acp'), 'dist', 'index.js');

export interface AcpCliEnvironment {
  /** The throwaway HOME (Gemini keeps its chats under `.gemini/tmp`, Claude under `.claude/projects`). */
  readonly home: string;
  /** Pass as the spawn environment (added to the parent's). */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * The environment for running a real ACP agent against a loopback fake model: a throwaway HOME, the
 * model API on `baseUrl` (Gemini: `GOOGLE_GEMINI_BASE_URL`; Claude: `ANTHROPIC_BASE_URL`), a fake key,
 * and every proxy pointed at a closed local port so stray traffic fails at once. Telemetry and update
 * checks are the provider's business, not this environment's.
 */
export async function createAcpCliEnvironment(options: {
  agent: 'gemini' | 'claude';
  baseUrl: string;
}): Promise<AcpCliEnvironment> {
  const temp = await createTempDir(`orcha-${options.agent}-home-`);
  const home = temp.path;
  await mkdir(join(home, 'tmp'));
  const model: Record<string, string> =
    options.agent === 'gemini'
      ? { GEMINI_API_KEY: 'fake-gemini-key', GOOGLE_GEMINI_BASE_URL: options.baseUrl }
      : {
          ANTHROPIC_BASE_URL: options.baseUrl,
          ANTHROPIC_API_KEY: 'sk-ant-api03-fake-key',
          CLAUDE_CODE_OAUTH_TOKEN: '',
          ANTHROPIC_AUTH_TOKEN: '',
          CLAUDE_CODE_MAX_RETRIES: '0',
          CLAUDE_CONFIG_DIR: join(home, '.claude'),
        };
  const env: Record<string, string> = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TMPDIR: join(home, 'tmp'),
    ...model,
    ...(await deadProxyEnv()),
  };
  return { home, env, remove: temp.remove };
}
