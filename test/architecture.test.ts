// The direction of dependencies (docs/ARCHITECTURE.md §2), checked on every test run: each package may
// depend only on the workspace packages listed here, and every import in its source must be declared.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Which workspace packages each package may import. Backends appear only under apps/server. */
const allowed: Record<string, readonly string[]> = {
  '@orcha/model': [],
  '@orcha/store': ['@orcha/model'],
  '@orcha/exec': ['@orcha/model'],
  '@orcha/exec-ssh': ['@orcha/exec', '@orcha/model'],
  '@orcha/tmux': ['@orcha/exec', '@orcha/model'],
  '@orcha/agent': ['@orcha/exec', '@orcha/model'],
  '@orcha/agent-acp': ['@orcha/agent', '@orcha/exec', '@orcha/model'],
  '@orcha/agent-claude': ['@orcha/agent', '@orcha/exec', '@orcha/model'],
  '@orcha/agent-codex': ['@orcha/agent', '@orcha/exec', '@orcha/model'],
  '@orcha/agent-tmux': ['@orcha/agent', '@orcha/exec', '@orcha/model', '@orcha/tmux'],
  '@orcha/forge': ['@orcha/exec', '@orcha/model'],
  '@orcha/forge-github': ['@orcha/exec', '@orcha/forge', '@orcha/model'],
  '@orcha/workspace': ['@orcha/exec', '@orcha/model'],
  '@orcha/core': [
    '@orcha/agent',
    '@orcha/exec',
    '@orcha/forge',
    '@orcha/model',
    '@orcha/store',
    '@orcha/workspace',
  ],
  '@orcha/api': ['@orcha/core', '@orcha/model'],
  '@orcha/testkit': ['@orcha/exec', '@orcha/model'],
  '@orcha/server': ['*'],
  '@orcha/client': [],
  '@orcha/web': ['@orcha/client', '@orcha/model'],
};
/** Workspace packages any package's tests may use (test files only). */
const testOnly = ['@orcha/testkit'];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function packages(): { dir: string; manifest: Manifest }[] {
  return ['packages', 'apps'].flatMap((group) => {
    const base = join(root, group);
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .map((name) => join(base, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => ({
        dir,
        manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest,
      }));
  });
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|mjs|js)$/.test(name) ? [path] : [];
  });
}

const importPattern =
  /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? specifier);
}

const isTest = (file: string) => /\.test\.tsx?$|[/\\](testing|test|__fixtures__)[/\\]/.test(file);
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

describe('architecture', () => {
  const all = packages();

  it('knows every package', () => {
    expect(all.length).toBeGreaterThan(2);
    for (const { manifest } of all) expect(Object.keys(allowed)).toContain(manifest.name);
  });

  it.each(all.map(({ dir, manifest }) => [manifest.name, dir, manifest] as const))(
    '%s depends only on the packages below it',
    (name, dir, manifest) => {
      const permitted = allowed[name] ?? [];
      const runtime = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((dep) =>
        dep.startsWith('@orcha/'),
      );
      if (!permitted.includes('*')) {
        expect(runtime.filter((dep) => !permitted.includes(dep))).toEqual([]);
      }
      const declared = new Set([
        name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.devDependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      const problems: string[] = [];
      for (const file of sourceFiles(join(dir, 'src'))) {
        const where = relative(root, file);
        for (const specifier of imports(file)) {
          if (specifier.startsWith('.')) {
            const target = join(dirname(file), specifier);
            if (!target.startsWith(dir))
              problems.push(`${where}: reaches outside its package with ${specifier}`);
            continue;
          }
          if (builtins.has(specifier) || builtins.has(packageName(specifier))) continue;
          const dep = packageName(specifier);
          if (!declared.has(dep))
            problems.push(`${where}: imports ${dep}, which package.json does not declare`);
          if (
            dep.startsWith('@orcha/') &&
            dep !== name &&
            !permitted.includes('*') &&
            !permitted.includes(dep)
          ) {
            const fine = isTest(file) && (testOnly.includes(dep) || specifier.endsWith('/testing'));
            if (!fine) problems.push(`${where}: ${name} must not import ${dep}`);
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('keeps every backend out of the core', () => {
    const backends = [
      '@orcha/agent-acp',
      '@orcha/agent-claude',
      '@orcha/agent-codex',
      '@orcha/agent-tmux',
      '@orcha/exec-ssh',
      '@orcha/forge-github',
      '@orcha/tmux',
    ];
    for (const forbidden of backends) expect(allowed['@orcha/core']).not.toContain(forbidden);
  });
});
