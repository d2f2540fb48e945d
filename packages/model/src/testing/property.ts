import fc from 'fast-check';

/**
 * Runs a fast-check property with a seed that is printed, so any run can be replayed:
 * `FC_SEED=<seed> pnpm exec vitest run <file>`. Test-only helper.
 */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IProperty<Ts>,
  numRuns = 200,
): void {
  const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
  console.log(`property "${name}": seed ${seed} (${numRuns} runs)`);
  fc.assert(property, { seed, numRuns });
}
