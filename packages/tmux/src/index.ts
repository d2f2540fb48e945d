export type { SendTextOptions, SendTextResult } from './send-text.js';
export type {
  NewSessionOptions,
  PaneChunk,
  PaneStatus,
  TmuxController,
  TmuxControllerOptions,
  TmuxSession,
} from './tmux-controller.js';
export { createTmuxController } from './tmux-controller.js';
