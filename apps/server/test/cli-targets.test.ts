import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTempDir, type LoopbackSshd, startSshd, type TempDir } from '@orcha/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ran, runOrcha } from './cli-process.js';
import { checkResponse } from './contract.js';
import { type OrchaProcess, startOrcha } from './orcha-process.js';

// `orcha targets …`, bad input and shell completion: the real binary against a real `orcha serve`, with a
// loopback sshd as the machine to add.
let dir: TempDir;
let sshd: LoopbackSshd;
let server: OrchaProcess;
let url = '';

const orcha = (args: string[]) => runOrcha(args, { env: { ORCHA_URL: url } });
const parsed = (ran: Ran, code = 0) => {
  expect(ran.stderr).toBe('');
  expect(ran.code).toBe(code);
  return JSON.parse(ran.stdout);
};
const oneLine = (ran: Ran, code: number, label: string) => {
  expect(ran.code, label).toBe(code);
  expect(ran.stdout, label).toBe('');
  expect(ran.stderr, label).toMatch(/^orcha: [^\n]+\n$/);
};

beforeAll(async () => {
  dir = await createTempDir('orcha-cli-targets-');
  [sshd, server] = await Promise.all([
    startSshd(),
    startOrcha(['--port', '0', '--data-dir', dir.path, '--no-demo']),
  ]);
  url = server.url;
});
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await server?.stop();
  await sshd?.stop();
  await dir?.remove();
});

describe('orcha targets', { timeout: 90_000 }, () => {
  let id = '';

  it('adds an SSH machine: the doctor stops at its unknown host key (exit 1); trust with the compared fingerprint brings it online', async () => {
    const added = parsed(
      await orcha([
        'targets',
        'add',
        'box',
        '--host',
        sshd.host,
        '--port',
        String(sshd.port),
        '--user',
        sshd.user,
        '--identity-file',
        sshd.identityFile,
        '--work-root',
        join(sshd.dir, 'work'),
        '--capacity',
        '2',
        '--json',
      ]),
      1,
    );
    await checkResponse('POST', '/api/targets', 201, added);
    id = added.target.id;
    expect(added.target).toMatchObject({ name: 'box', kind: 'ssh', status: 'offline', capacitySessions: 2 });
    expect(added.doctor.ok).toBe(false);
    // What a person does to learn the fingerprint: ssh-keygen -l on the key the host publishes.
    const keyFile = join(dir.path, 'host-key');
    await writeFile(keyFile, `${sshd.hostKeyLine}\n`);
    const fingerprint = (await promisify(execFile)('ssh-keygen', ['-l', '-f', keyFile])).stdout.split(
      ' ',
    )[1]!;
    const checks = added.doctor.checks as { name: string; ok: boolean; fix: string | null }[];
    expect(checks.find((check) => check.name === 'connectivity')).toMatchObject({
      ok: false,
      fix: expect.stringContaining(`the host presents ${fingerprint}`),
    });
    const trusted = parsed(await orcha(['targets', 'trust', 'box', fingerprint, '--json']));
    await checkResponse('POST', `/api/targets/${id}/trust-host-key`, 200, trusted);
    expect(trusted.doctor.ok).toBe(true);
    expect(trusted.target.status).toBe('online');

    const doctor = await orcha(['targets', 'doctor', id]);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/^box online doctor ok\n/);
    expect(doctor.stdout).toContain('✓ host key');
  });

  it('drains, disables and enables it, and lists it', async () => {
    for (const [action, status] of [
      ['drain', 'draining'],
      ['disable', 'disabled'],
      ['enable', 'online'],
    ] as const) {
      const answer = parsed(await orcha(['targets', action, 'box', '--json']));
      await checkResponse('POST', `/api/targets/${id}/${action}`, 200, answer);
      expect(answer.target.status, action).toBe(status);
    }
    const [listed, text] = await Promise.all([orcha(['targets', '--json']), orcha(['targets'])]);
    const targets = parsed(listed);
    await checkResponse('GET', '/api/targets', 200, targets);
    expect(targets.targets.map((target: { name: string; status: string }) => target)).toContainEqual(
      expect.objectContaining({ name: 'box', status: 'online', used: 0 }),
    );
    expect(text.stdout).toMatch(new RegExp(`^box online ${sshd.user}@${sshd.host}:${sshd.port} 0/2 `, 'm'));
  });

  it('answers bad input with one line and exit 2, and a missing target with one line and exit 1', async () => {
    const usage = [
      ['targets', 'add', 'x'],
      ['targets', 'add', 'x', '--work-root', '/w', '--kind', 'nope'],
      ['targets', 'add', 'x', '--work-root', '/w', '--capacity', '0'],
      ['targets', 'trust', 'box'],
      ['targets', 'frobnicate'],
      ['answer'],
    ];
    const [local, missing, ...ran] = await Promise.all([
      orcha(['targets', 'trust', 'local', `SHA256:${'A'.repeat(43)}`]),
      orcha(['targets', 'doctor', 'nope']),
      ...usage.map((args) => orcha(args)),
    ]);
    for (const [index, args] of usage.entries()) oneLine(ran[index]!, 2, args.join(' '));
    oneLine(local, 2, 'trust local');
    expect(local.stderr).toMatch(/not an SSH target.*\(invalid_argument\)/);
    oneLine(missing, 1, 'doctor nope');
    expect(missing.stderr).toContain('(not_found)');
    // Nothing changed: no target x.
    const { targets } = parsed(await orcha(['targets', '--json']));
    expect(targets.map((target: { name: string }) => target.name).sort()).toEqual(['box', 'local']);
  });

  it('completes subcommands and their options in bash', async () => {
    const script = join(dir.path, 'completion.bash');
    await writeFile(script, (await orcha(['completion'])).stdout);
    const complete = async (...words: string[]) => {
      const line = `source ${script}; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _orcha; echo "\${COMPREPLY[*]}"`;
      return (await promisify(execFile)('bash', ['--norc', '-c', line])).stdout.trim().split(' ');
    };
    expect(await complete('orcha', 'tar')).toEqual(['targets']);
    expect(await complete('orcha', 'targets', 'd')).toEqual(['doctor', 'drain', 'disable']);
    expect(await complete('orcha', 'run', '--f')).toEqual(['--follow']);
  });
});
