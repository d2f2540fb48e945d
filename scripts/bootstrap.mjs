#!/usr/bin/env node
// The two-command entry point: `npm start` and `npm test` work on a fresh machine with only Node and git.
// It fetches the pinned pnpm when missing, installs the workspace, checks the system tools the tests use,
// then runs the requested task. Every task stays runnable directly with pnpm once installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

/** System tools the test suite drives for real, with the Debian package that provides each. */
const testTools = [
  { bin: 'git', pkg: 'git' },
  { bin: 'tmux', pkg: 'tmux' },
  { bin: '/usr/sbin/sshd', pkg: 'openssh-server' },
  { bin: 'ssh-keygen', pkg: 'openssh-client' },
  { bin: 'chromium', pkg: 'chromium' },
  { bin: '/usr/lib/postgresql', pkg: 'postgresql' },
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(command, args, options) {
  const code = run(command, args, options);
  if (code !== 0) process.exit(code);
}

function onPath(bin) {
  if (bin.startsWith('/')) return existsSync(bin);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

function ensurePnpm() {
  const local = join(root, '.tools', 'node_modules', '.bin');
  env.PATH = `${local}${delimiter}${env.PATH ?? ''}`;
  const found = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim() === pinned) return;
  console.log(`orcha: fetching pnpm ${pinned} into .tools/ …`);
  mkdirSync(join(root, '.tools'), { recursive: true });
  must('npm', [
    'install',
    '--prefix',
    join(root, '.tools'),
    '--no-save',
    '--no-audit',
    '--no-fund',
    `pnpm@${pinned}`,
  ]);
}

function install() {
  ensurePnpm();
  const frozen = env.CI ? ['--frozen-lockfile'] : [];
  must('pnpm', ['install', '--prefer-offline', ...frozen]);
}

function ensureTestTools() {
  const missing = testTools.filter((tool) => !onPath(tool.bin)).map((tool) => tool.pkg);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(
      `orcha: the tests need ${missing.join(', ')}. Install them with:\n  sudo sh -c '${command}'`,
    );
    process.exit(1);
  }
  console.log(`orcha: installing ${missing.join(', ')} …`);
  must('sh', ['-c', command], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const [task = 'start', ...rest] = process.argv.slice(2);
switch (task) {
  case 'start':
    install();
    must('pnpm', ['build']);
    must('node', ['apps/server/bin/orcha.mjs', 'serve', ...rest]);
    break;
  case 'orcha':
    ensurePnpm();
    must('node', ['apps/server/bin/orcha.mjs', ...rest]);
    break;
  case 'test': {
    install();
    ensureTestTools();
    mkdirSync(join(root, '.reports'), { recursive: true });
    const code = run('pnpm', [
      'exec',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=.reports/vitest.json',
      ...rest,
    ]);
    run('node', ['scripts/test-summary.mjs', '.reports/vitest.json']);
    process.exit(code);
    break;
  }
  case 'bench':
    install();
    must('pnpm', ['exec', 'tsx', 'bench/run.ts', ...rest]);
    break;
  default:
    console.error(`orcha: unknown task ${task}; use start, test, bench or orcha`);
    process.exit(2);
}
