export type { AsyncQueueOptions, Flow } from './async-queue.js';
export { AsyncQueue, chunkQueue } from './async-queue.js';
export type {
  Executor,
  ExecutorDescription,
  ExitStatus,
  FileOperations,
  FollowFileOptions,
  ProcessHandle,
  RunOptions,
  RunResult,
  SeenHostKey,
  SpawnOptions,
} from './executor.js';
export type { LocalExecutorOptions } from './local-executor.js';
export { createLocalExecutor } from './local-executor.js';
export type { PollOptions } from './poll.js';
export { delay, poll } from './poll.js';
export { groupIsAlive } from './process-group.js';
export { quoteShellArg, quoteShellArgs } from './quote.js';
export { runProcess } from './run-process.js';
