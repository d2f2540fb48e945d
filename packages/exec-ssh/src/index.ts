export type { PresentedHostKey, SeenHostKey, SshSettings } from './connection.js';
export type { HostKeyVerdict } from './known-hosts.js';
export { fingerprint, knownHostsName, trustHostKey, verifyHostKey } from './known-hosts.js';
export type { ReverseTunnelState, TunnelEnd } from './reverse-tunnel.js';
export type { SshExecutor } from './ssh-executor.js';
export { createSshExecutor } from './ssh-executor.js';
export type { SshExecutorPool, SshExecutorPoolSettings, SshTargetAddress } from './ssh-executor-pool.js';
export { createSshExecutorPool } from './ssh-executor-pool.js';
