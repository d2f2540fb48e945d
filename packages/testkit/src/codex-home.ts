import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeOpenAI } from './openai-server.js';

/** The real `codex` CLI (@openai/codex, installed with testkit). */
export const codexCliPath = fileURLToPath(new URL('../node_modules/.bin/codex', import.meta.url));

export interface CodexHome {
  /** Throwaway HOME; CODEX_HOME is `<home>/.codex`. */
  readonly home: string;
  /** Environment for the codex process: throwaway homes, the fake's key, a dead proxy for stray traffic. */
  readonly env: Record<string, string>;
  /** Config overrides (`-c key=value`, values as TOML-able JSON) that point codex at the fake model server. */
  readonly config: Record<string, unknown>;
  /** The model name the config selects. */
  readonly model: string;
  remove(): Promise<void>;
}

/**
 * A throwaway home for running the real Codex CLI against a `FakeOpenAI`: its own HOME and CODEX_HOME
 * (sessions land there, so resume works within one home), a custom `model_providers` entry for the fake
 * (plain HTTP SSE, no websocket attempts), one retry at most so failures surface fast, and every proxy
 * pointed at a closed loopback port so nothing leaves the machine.
 */
export async function createCodexHome(server: FakeOpenAI): Promise<CodexHome> {
  const home = await mkdtemp(join(tmpdir(), 'orcha-codex-'));
  const codexHome = join(home, '.codex');
  await mkdir(codexHome);
  const deadProxy = 'http://127.0.0.1:9';
  const env: Record<string, string> = {
    HOME: home,
    CODEX_HOME: codexHome,
    ORCHA_FAKE_OPENAI_KEY: server.apiKey,
    HTTPS_PROXY: deadProxy,
    HTTP_PROXY: deadProxy,
    ALL_PROXY: deadProxy,
    https_proxy: deadProxy,
    http_proxy: deadProxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    RUST_LOG: 'error',
  };
  // Codex refuses some modes as root outside a sandbox; tests run as root in CI containers.
  if (process.getuid?.() === 0) env.IS_SANDBOX = '1';
  const model = 'gpt-fake';
  const config: Record<string, unknown> = {
    model_provider: 'orcha_fake',
    model,
    'model_providers.orcha_fake': {
      name: 'orcha fake Responses API',
      base_url: server.baseUrl,
      env_key: 'ORCHA_FAKE_OPENAI_KEY',
      wire_api: 'responses',
      request_max_retries: 0,
      stream_max_retries: 0,
    },
  };
  return { home, env, config, model, remove: () => rm(home, { recursive: true, force: true }) };
}
