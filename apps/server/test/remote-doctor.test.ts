import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LoopbackSshd, startSshd } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventsOf } from './harness.js';
import { createRemoteFakeProvider } from './remote-agents.js';
import { pathWithout, type RemoteHarness, startRemoteHarness } from './remote-harness.js';

let good: LoopbackSshd;
let withoutTmux: LoopbackSshd;
let stranger: LoopbackSshd;
let harness: RemoteHarness;
let scratch: string;

interface Check {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  fix: string | null;
}
const check = (body: { doctor: { checks: Check[] } }, name: string) =>
  body.doctor.checks.find((entry) => entry.name === name);

/** What a person does to learn a host's fingerprint: ssh-keygen -l on the key the host publishes. */
async function fingerprintOf(sshd: LoopbackSshd): Promise<string> {
  const file = join(scratch, `key-${sshd.port}`);
  await writeFile(file, `${sshd.hostKeyLine}\n`);
  const { stdout } = await promisify(execFile)('ssh-keygen', ['-l', '-f', file]);
  return stdout.split(' ')[1]!;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'orcha-remote-doctor-'));
  const path = await pathWithout(scratch, ['tmux']);
  [good, withoutTmux, stranger] = await Promise.all([startSshd(), startSshd({ path }), startSshd()]);
  harness = await startRemoteHarness({
    providers: { fake: createRemoteFakeProvider() },
    // Agents get the login shell's PATH (which has tmux here) unless the target sets one: this one lacks it.
    config: { agentEnvironment: [{ agent: null, target: 'no-tmux', name: 'PATH', value: path }] },
  });
  await harness.trust(good);
  await harness.trust(withoutTmux);
});

afterAll(async () => {
  await harness?.close();
  await Promise.all([good?.stop(), withoutTmux?.stop(), stranger?.stop()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('target doctor over SSH', () => {
  it('registers a machine without tmux offline, says how to fix it, and refuses to enable it', async () => {
    const registered = await harness.register(withoutTmux, 'no-tmux');
    expect(registered.status).toBe(201);
    expect(registered.body.target.status).toBe('offline');
    expect(registered.body.doctor.ok).toBe(false);
    expect(check(registered.body, 'connectivity')).toMatchObject({ ok: true });
    expect(check(registered.body, 'tmux')).toMatchObject({
      ok: false,
      required: true,
      detail: 'tmux is not on the PATH',
      fix: expect.stringContaining('apt-get install -y tmux'),
    });
    expect(check(registered.body, 'git')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('/git'),
    });
    expect(check(registered.body, 'work root')).toMatchObject({ ok: true });
    expect(check(registered.body, 'disk')?.detail).toMatch(/uses \d+ KiB; .* free/);
    const enabled = await api(harness, 'POST', `/api/targets/${registered.body.target.id}/enable`, {});
    expect(enabled.status).toBe(409);
    expect(enabled.body.error.code).toBe('conflict');
    const listed = await api(harness, 'GET', '/api/targets');
    const shown = listed.body.targets.find((target: { name: string }) => target.name === 'no-tmux');
    expect(shown).toMatchObject({ status: 'offline', used: 0, doctor: { ok: false } });
  });

  it('fails connectivity on an unknown host key, showing its fingerprint; trusting it is explicit', async () => {
    const fingerprint = await fingerprintOf(stranger);
    const registered = await harness.register(stranger, 'stranger');
    expect(registered.status).toBe(201);
    const id = registered.body.target.id as string;
    expect(registered.body.target.status).toBe('offline');
    const connectivity = check(registered.body, 'connectivity')!;
    expect(connectivity.ok).toBe(false);
    expect(connectivity.detail).toContain('unknown host key');
    expect(connectivity.detail).toContain(fingerprint);
    expect(connectivity.fix).toContain(`/api/targets/${id}/trust-host-key`);
    expect(connectivity.fix).toContain(fingerprint);
    const knownBefore = await readFile(harness.knownHostsFile, 'utf8');

    const malformed = await api(harness, 'POST', `/api/targets/${id}/trust-host-key`, { fingerprint: 'yes' });
    expect(malformed.status).toBe(400);
    const other = `SHA256:${'A'.repeat(43)}`;
    const wrong = await api(harness, 'POST', `/api/targets/${id}/trust-host-key`, { fingerprint: other });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.message).toContain(fingerprint);
    expect(await readFile(harness.knownHostsFile, 'utf8')).toBe(knownBefore);
    expect(harness.store.getTarget(id).status).toBe('offline');

    const doctorRuns = eventsOf(harness.store, 'target-doctor').filter(
      (event) => event.targetId === id,
    ).length;
    const trusted = await api(harness, 'POST', `/api/targets/${id}/trust-host-key`, { fingerprint });
    expect(trusted.status).toBe(200);
    expect(trusted.body.trusted.fingerprint).toBe(fingerprint);
    expect(trusted.body.target.status).toBe('online');
    expect(check(trusted.body, 'connectivity')).toMatchObject({ ok: true });
    expect(check(trusted.body, 'host key')?.detail).toContain(fingerprint);
    expect(await readFile(harness.knownHostsFile, 'utf8')).toContain(stranger.hostKeyLine);
    expect(eventsOf(harness.store, 'target-doctor').filter((event) => event.targetId === id).length).toBe(
      doctorRuns + 1,
    );

    const again = await api(harness, 'POST', `/api/targets/${id}/trust-host-key`, { fingerprint });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already trusted/);
  });

  it('runs the bootstrap before the doctor; a failing bootstrap keeps the target offline', async () => {
    const made = join(good.dir, 'made-by-bootstrap');
    const bootstrapped = await harness.register(good, 'bootstrapped', {
      bootstrap: `mkdir -p '${made}' && echo ready > '${made}/flag'`,
    });
    expect(bootstrapped.body.target.status).toBe('online');
    expect(await readFile(join(made, 'flag'), 'utf8')).toBe('ready\n');
    const broken = await harness.register(good, 'broken-bootstrap', {
      bootstrap: 'echo "no package manager" >&2; exit 3',
      workRoot: join(good.dir, 'other-work'),
    });
    expect(broken.body.target.status).toBe('offline');
    expect(check(broken.body, 'bootstrap')).toMatchObject({
      ok: false,
      required: true,
      detail: 'bootstrap exited 3: no package manager',
    });
  });

  it('drains, disables and enables a target; the doctor re-runs on request and keeps those states', async () => {
    const id = harness.store.getTarget('bootstrapped').id;
    const post = (action: string) => api(harness, 'POST', `/api/targets/${id}/${action}`, {});
    expect((await post('drain')).body.target.status).toBe('draining');
    const rerun = await post('doctor');
    expect(rerun.status).toBe(200);
    expect(rerun.body.doctor.ok).toBe(true);
    expect(rerun.body.target.status).toBe('draining');
    expect((await post('disable')).body.target.status).toBe('disabled');
    expect((await post('enable')).body.target.status).toBe('online');
    expect((await api(harness, 'POST', '/api/targets/tgt_nope/doctor', {})).status).toBe(404);
  });
});
