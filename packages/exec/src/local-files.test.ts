import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalExecutor } from './local-executor.js';

describe('local files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orcha-files-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes, reads, checks and removes files under the root', async () => {
    const files = createLocalExecutor().files(dir);
    await files.write('a/b/c.txt', 'hello', { mode: 0o600 });
    expect(await files.read('a/b/c.txt')).toBe('hello');
    expect(await files.exists('a/b/c.txt')).toBe(true);
    await files.mkdir('d/e');
    expect(await files.exists('d/e')).toBe(true);
    await files.remove('a');
    expect(await files.exists('a/b/c.txt')).toBe(false);
  });

  it('reports a missing file as not_found', async () => {
    await expect(createLocalExecutor().files(dir).read('nope.txt')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses paths that leave the root, through .., absolute paths or symlinks', async () => {
    const files = createLocalExecutor().files(join(dir, 'root'));
    await files.mkdir('.');
    await files.write('../outside.txt', 'x').then(
      () => expect.fail('escaped'),
      (error) => expect(error).toMatchObject({ code: 'forbidden' }),
    );
    await expect(files.read('/etc/passwd')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(files.read('a/../../x')).rejects.toMatchObject({ code: 'forbidden' });
    await symlink(dir, join(dir, 'root', 'link'));
    await expect(files.write('link/escaped.txt', 'x')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await createLocalExecutor().files(dir).exists('escaped.txt')).toBe(false);
    await expect(files.remove('.')).rejects.toMatchObject({ code: 'forbidden' });
  });
});
