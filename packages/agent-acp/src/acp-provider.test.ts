import { fileURLToPath } from 'node:url';
import { collectUntil, createRecordingSpecs, newSessionId, textOf } from '@orcha/agent/testing';
import { createLocalExecutor } from '@orcha/exec';
import { isOrchaError } from '@orcha/model';
import { createTempDir, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcpProvider } from './index.js';

// Any ACP agent, here a minimal one of our own on stdio (no model behind it): what the provider does with
// an agent that can neither load nor resume, and what the doctor says about it.
const agentPath = fileURLToPath(new URL('./__fixtures__/minimal-agent.mjs', import.meta.url));
const provider = createAcpProvider({ name: 'minimal', command: process.execPath, args: [agentPath] });
let work: TempDir;

beforeAll(async () => {
  work = await createTempDir('orcha-acp-minimal-');
});
afterAll(async () => {
  await work?.remove();
});

describe('any ACP agent', () => {
  it('runs turns, and refuses to resume when the agent advertises neither session/resume nor session/load', async () => {
    const specs = createRecordingSpecs(work.path);
    const id = newSessionId();
    const run = await provider.start(specs.spec(id, 'say hello'));
    const events = await collectUntil(run, (event) => event.type === 'turn-complete', 20_000);
    expect(events[0]).toEqual({ type: 'started', providerSessionId: 'minimal-1', model: null });
    expect(textOf(events)).toBe('hello');
    await run.cancel();
    expect(await run.wait()).toMatchObject({ reason: 'canceled' });

    const resumed = provider.resume({ ...specs.spec(id, 'say again'), providerSessionId: 'minimal-1' });
    await expect(resumed).rejects.toSatisfy((error) => isOrchaError(error, 'capability_unsupported'));
    expect(specs.isRunning(id)).toBe(false); // the process started to ask was stopped
  }, 60_000);

  it('is checked by the doctor: it answers initialize, but without MCP over HTTP it cannot use orcha', async () => {
    const check = await provider.check?.(createLocalExecutor(), {});
    expect(check).toMatchObject({ name: 'minimal', ok: false, required: false });
    expect(check?.detail).toMatch(
      /minimal-agent 1\.0\.0 answers initialize: protocol 1; no resume; no MCP over HTTP/,
    );
    expect(check?.fix).toMatch(/cannot reach MCP servers over HTTP/);
  }, 60_000);
});
