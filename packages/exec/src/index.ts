export { ChunkQueue } from './chunk-queue.js';
export type {
  Executor,
  ExecutorDescription,
  ExitStatus,
  FileOperations,
  ProcessHandle,
  RunOptions,
  RunResult,
  SpawnOptions,
} from './executor.js';
export type { LocalExecutorOptions } from './local-executor.js';
export { createLocalExecutor } from './local-executor.js';
export { groupIsAlive } from './process-group.js';
export { quoteShellArg, quoteShellArgs } from './quote.js';
export { runProcess } from './run-process.js';
