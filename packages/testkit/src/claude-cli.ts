import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deadProxyEnv } from './dead-proxy.js';
import { createTempDir } from './temp.js';

/** The real `claude` binary (npm `@anthropic-ai/claude-code`, its native executable). */
export const claudeCliPath = join(
  dirname(createRequire(import.meta.url).resolve('@anthropic-ai/claude-code/package.json')),
  'bin',
  'claude.exe',
);

export interface ClaudeCliEnvironment {
  /** The throwaway HOME (its `.claude/projects` holds the transcripts `--resume` reads). */
  readonly home: string;
  /** Pass as the spawn environment (added to the parent's; everything that matters is set here). */
  readonly env: Record<string, string>;
  remove(): Promise<void>;
}

export interface ClaudeCliEnvironmentOptions {
  /** The fake model server (`FakeAnthropic.url`). */
  baseUrl: string;
  /**
   * `api-key` (default): `ANTHROPIC_API_KEY`. `oauth`: a subscription token, the code path on which a
   * usage limit surfaces as `rate_limit_event` + "You've hit your … limit".
   */
  auth?: 'api-key' | 'oauth';
  /** `CLAUDE_CODE_MAX_RETRIES` (default 0): keeps error tests from waiting through retry loops. */
  maxRetries?: number;
}

/**
 * The environment for running the real CLI against a loopback fake (agent-protocols §9): a throwaway
 * HOME, the model API on `baseUrl`, telemetry and auto-update off, every proxy pointed at a closed local
 * port so stray traffic fails at once, and `IS_SANDBOX=1` under root (bypass permissions refuses root
 * otherwise).
 */
export async function createClaudeCliEnvironment(
  options: ClaudeCliEnvironmentOptions,
): Promise<ClaudeCliEnvironment> {
  const temp = await createTempDir('orcha-claude-home-');
  const home = temp.path;
  await Promise.all([mkdir(join(home, '.config'), { recursive: true }), mkdir(join(home, 'tmp'))]);
  const credential: Record<string, string> =
    options.auth === 'oauth'
      ? { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-fake-token', ANTHROPIC_API_KEY: '' }
      : { ANTHROPIC_API_KEY: 'sk-ant-api03-fake-key', CLAUDE_CODE_OAUTH_TOKEN: '' };
  const env: Record<string, string> = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    // The CLI keeps per-project scratch files under $TMPDIR/claude-<uid>: keep them in the throwaway HOME.
    CLAUDE_CODE_TMPDIR: join(home, 'tmp'),
    TMPDIR: join(home, 'tmp'),
    ANTHROPIC_BASE_URL: options.baseUrl,
    ...credential,
    ANTHROPIC_AUTH_TOKEN: '',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 0),
    ...(await deadProxyEnv()),
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
  };
  return { home, env, remove: temp.remove };
}
