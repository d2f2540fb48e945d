#!/usr/bin/env node
// Scaffolds packages/<name>: package.json, tsconfigs, vitest config, README and src/index.ts.
// Usage: node scripts/new-package.mjs <name> "<one-line purpose>" [dep ...] [--dev dep ...] [--private]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const [name, purpose] = args;
const deps = [];
const devDeps = [];
let target = deps;
for (const arg of args.slice(2)) {
  if (arg === '--dev') target = devDeps;
  else if (arg !== '--private') target.push(arg);
}
const dir = join('packages', name);
if (existsSync(join(dir, 'package.json'))) {
  console.error(`${dir} exists`);
  process.exit(1);
}
const version = (dep) => (dep.startsWith('@orcha/') ? 'workspace:*' : 'catalog:');
const record = (list) => Object.fromEntries(list.sort().map((dep) => [dep, version(dep)]));
mkdirSync(join(dir, 'src'), { recursive: true });
const pkg = {
  name: `@orcha/${name}`,
  version: '0.1.0',
  private: true,
  description: purpose,
  type: 'module',
  exports: {
    '.': { '@orcha/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
  },
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    typecheck: 'tsc -p tsconfig.json --noEmit',
    test: 'vitest run',
  },
  dependencies: record(deps),
  devDependencies: record(['@types/node', 'typescript', 'vitest', ...devDeps]),
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  join(dir, 'tsconfig.json'),
  `{\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": { "noEmit": true, "customConditions": ["@orcha/source"] },\n  "include": ["src", "test"]\n}\n`,
);
writeFileSync(
  join(dir, 'tsconfig.build.json'),
  `{\n  "extends": "../../tsconfig.base.json",\n  "compilerOptions": { "outDir": "dist", "rootDir": "src" },\n  "include": ["src"],\n  "exclude": ["src/**/*.test.ts", "src/**/__fixtures__", "src/testing"]\n}\n`,
);
writeFileSync(
  join(dir, 'vitest.config.ts'),
  `import { packageProject } from '../../vitest.shared.ts';\n\nexport default packageProject('${name}');\n`,
);
writeFileSync(join(dir, 'README.md'), `# @orcha/${name}\n\n${purpose}\n`);
if (!existsSync(join(dir, 'src', 'index.ts'))) writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
console.log(`created ${dir}`);
