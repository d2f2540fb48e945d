import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalExecutor, type Executor } from '@orcha/exec';
import { runForgeContract } from '@orcha/forge/testing';
import { startFakeGitHub, startGitHttpServer } from '@orcha/testkit';
import { createGitHubForge, parseRepo } from './index.js';

const token = 'ghp_contract_token';
const repo = 'acme/contract';
const identity = ['-c', 'user.name=worker', '-c', 'user.email=worker@example.invalid'];

async function git(executor: Executor, cwd: string, args: string[]): Promise<string> {
  const result = await executor.run('git', args, { cwd });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

runForgeContract('github', async () => {
  const executor = createLocalExecutor();
  const gitServer = await startGitHttpServer({ token });
  const github = await startFakeGitHub(gitServer, { token });
  const work = await mkdtemp(join(tmpdir(), 'orcha-forge-contract-'));
  const bare = gitServer.repoPath(repo);
  // Seed main straight into the bare repository; workspaces clone it from disk, pushes go over HTTP.
  await gitServer.createRepo(repo);
  const seed = join(work, 'seed');
  await git(executor, work, ['init', '--quiet', '--initial-branch=main', seed]);
  await executor.files(seed).write('README.md', 'contract\n');
  await git(executor, seed, ['add', '.']);
  await git(executor, seed, [...identity, 'commit', '--quiet', '-m', 'initial']);
  await git(executor, seed, ['push', '--quiet', bare, 'main']);
  let made = 0;
  return {
    forge: createGitHubForge({
      token,
      baseUrl: github.url,
      cloneUrl: (slug) => `${gitServer.url}/${parseRepo(slug).owner}/${parseRepo(slug).name}.git`,
    }),
    repo,
    baseBranch: 'main',
    executor,
    async makeWorkspace(branch) {
      const cwd = join(work, `workspace-${++made}`);
      await git(executor, work, ['clone', '--quiet', bare, cwd]);
      await git(executor, cwd, ['checkout', '--quiet', '-b', branch]);
      await executor.files(cwd).write('work.txt', `${branch} in workspace ${made}\n`);
      await git(executor, cwd, ['add', '.']);
      await git(executor, cwd, [...identity, 'commit', '--quiet', '-m', `work on ${branch}`]);
      return cwd;
    },
    control: {
      merge: (number) => github.control.merge(repo, number),
      close: async (number) => github.control.close(repo, number),
      addReview: (number, review) => github.control.addReview(repo, number, review),
      addComment: async (number, comment) => github.control.addComment(repo, number, comment),
      failCheck: (number, check) => github.control.failCheck(repo, number, check.name, check.summary),
    },
    async cleanup() {
      await github.stop();
      await gitServer.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
});
