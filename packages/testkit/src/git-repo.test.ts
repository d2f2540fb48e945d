import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from './git-http-server.js';
import { commitFile, seedRepo } from './git-repo.js';
import { createTempDir } from './temp.js';

describe('git fixtures', () => {
  it('seeds a remote main with the given files, then commits one file at a time', async () => {
    const temp = await createTempDir('orcha-git-repo-');
    try {
      const bare = join(temp.path, 'remote.git');
      await git(['init', '--bare', '--quiet', '--initial-branch=main', bare]);
      const seeded = await seedRepo(join(temp.path, 'seed'), bare, {
        files: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
        message: 'two files',
      });
      expect((await git(['rev-parse', 'main'], { cwd: bare })).trim()).toBe(seeded);

      const clone = join(temp.path, 'clone');
      await git(['clone', '--quiet', bare, clone]);
      expect(await readFile(join(clone, 'b.txt'), 'utf8')).toBe('b\n');
      const changed = await commitFile(clone, 'a.txt', 'changed\n');
      expect((await git(['rev-parse', 'HEAD'], { cwd: clone })).trim()).toBe(changed);
      expect((await git(['log', '--format=%s', '--name-only'], { cwd: clone })).trim().split('\n')).toEqual([
        'change a.txt',
        '',
        'a.txt',
        'two files',
        '',
        'a.txt',
        'b.txt',
      ]);
      expect((await git(['status', '--porcelain'], { cwd: clone })).trim()).toBe('');
    } finally {
      await temp.remove();
    }
  });
});
