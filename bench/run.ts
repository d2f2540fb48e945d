// `pnpm bench` runs every benchmark under bench/; `pnpm bench <name>` runs bench/<name>.ts.
// Each benchmark prints its figures and, as its last line, one JSON object `{"bench":"<name>",…}`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
  .map((file) => file.slice(0, -3))
  .sort();
// Names first; what follows the first flag (`pnpm bench store -- --database postgres`) goes to each benchmark.
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const firstFlag = args.findIndex((arg) => arg.startsWith('-'));
const wanted = firstFlag === -1 ? args : args.slice(0, firstFlag);
const flags = firstFlag === -1 ? [] : args.slice(firstFlag);
const unknown = wanted.filter((name) => !names.includes(name));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${names.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length ? wanted : names) {
  console.log(`\n== bench ${name}`);
  const result = spawnSync(
    process.execPath,
    ['--conditions=@orcha/source', '--import', 'tsx', join(here, `${name}.ts`), ...flags],
    { stdio: 'inherit', env: process.env },
  );
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
