#!/usr/bin/env node
// The `orcha` command. Runs the built server (dist/); `npm start` and `pnpm build` build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
if (!existsSync(main)) {
  console.error('orcha: the server is not built yet; run `pnpm build` (or `npm start`) first.');
  process.exit(1);
}
const { runCli } = await import(pathToFileURL(main).href);
process.exitCode = await runCli(process.argv.slice(2));
