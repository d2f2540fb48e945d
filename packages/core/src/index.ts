export type { OrchestratorConfig } from './config.js';
export { defaultConfig } from './config.js';
export type { Logger } from './context.js';
export type { Orchestrator, OrchestratorOptions } from './orchestrator.js';
export { createOrchestrator } from './orchestrator.js';
export { branchName } from './pr-workflow.js';
export type { Delivery } from './steering.js';
export { runDoctor } from './target-doctor.js';
export type { TargetInput } from './target-ops.js';
