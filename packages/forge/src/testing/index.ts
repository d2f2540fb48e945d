export type { ForgeControls, ForgeHarness } from './forge-contract.js';
export { runForgeContract } from './forge-contract.js';
