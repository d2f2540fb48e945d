export type { TmuxProviderSettings } from './tmux-provider.js';
export { createTmuxProvider } from './tmux-provider.js';
