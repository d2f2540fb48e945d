import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttpServer, git, startGitHttpServer } from './git-http-server.js';

let server: GitHttpServer;
let work: string;
const identity = ['-c', 'user.name=orcha', '-c', 'user.email=orcha@example.invalid'];

beforeAll(async () => {
  server = await startGitHttpServer();
  work = await mkdtemp(join(tmpdir(), 'orcha-git-client-'));
});

afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('git http server', () => {
  it('serves clone, push and fetch to the git CLI over loopback HTTP', async () => {
    const url = await server.createRepo('acme/app');
    expect(url).toBe(`${server.url}/acme/app.git`);
    const first = join(work, 'first');
    await git(['clone', '--quiet', url, first]);
    await writeFile(join(first, 'README.md'), 'hello\n');
    await git([...identity, 'commit', '--quiet', '--allow-empty', '-m', 'empty'], { cwd: first });
    await git(['add', 'README.md'], { cwd: first });
    await git([...identity, 'commit', '--quiet', '-m', 'readme'], { cwd: first });
    await git(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: first });

    const second = join(work, 'second');
    await git(['clone', '--quiet', url, second]);
    expect((await git(['log', '--format=%s'], { cwd: second })).trim().split('\n')).toEqual([
      'readme',
      'empty',
    ]);
    expect((await git(['rev-parse', 'main'], { cwd: server.repoPath('acme/app') })).trim()).toBe(
      (await git(['rev-parse', 'HEAD'], { cwd: second })).trim(),
    );
  });
});
