// Generates src/generated/openapi.ts — the types of every path, operation and schema — from the API's
// route declarations (@orcha/api's OpenAPI document). Runs on install and before builds and typechecks; the
// output is not committed, and a test checks it matches the declarations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedTypes } from './types.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'generated', 'openapi.ts');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, await generatedTypes());
