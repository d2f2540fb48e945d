import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git } from './git-http-server.js';

/** The author of fixture commits, given per command so no git config of the machine is needed. */
const author = ['-c', 'user.name=upstream', '-c', 'user.email=upstream@example.invalid'];

/** Writes `file` in the checkout at `cwd`, commits it with `message`, and returns the new commit's sha. */
export async function commitFile(
  cwd: string,
  file: string,
  content: string,
  message = `change ${file}`,
): Promise<string> {
  await writeFile(join(cwd, file), content);
  return commit(cwd, [file], message);
}

/**
 * Makes a repository at `dir` whose `main` has one commit of `files` (a README by default), and pushes
 * `main` to `remote` (a bare repository's path or URL). Returns the commit's sha.
 */
export async function seedRepo(
  dir: string,
  remote: string,
  options: { files?: Record<string, string>; message?: string } = {},
): Promise<string> {
  const { files = { 'README.md': 'app\n' }, message = 'initial' } = options;
  await git(['init', '--quiet', '--initial-branch=main', dir]);
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  const sha = await commit(dir, Object.keys(files), message);
  await git(['push', '--quiet', remote, 'main'], { cwd: dir });
  return sha;
}

async function commit(cwd: string, files: string[], message: string): Promise<string> {
  await git(['add', '--', ...files], { cwd });
  await git([...author, 'commit', '--quiet', '-m', message], { cwd });
  return (await git(['rev-parse', 'HEAD'], { cwd })).trim();
}
