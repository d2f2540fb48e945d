export type {
  ExecutorDescription,
  Executor,
  ExitStatus,
  FileOperations,
  ProcessHandle,
  RunOptions,
  RunResult,
  SpawnOptions,
} from './executor.js';
