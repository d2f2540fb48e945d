export type { EventLog } from './events.js';
export {
  answered,
  collectUntil,
  describeEvents,
  eventLog,
  eventually,
  newSessionId,
  outputOf,
  textOf,
} from './events.js';
export type { ContractHarness } from './provider-contract.js';
export { runProviderContract } from './provider-contract.js';
export type { RecordingSpecs } from './recording-specs.js';
export { createRecordingSpecs } from './recording-specs.js';
