export type { PresentedHostKey, SshSettings } from './connection.js';
export type { HostKeyVerdict } from './known-hosts.js';
export { fingerprint, knownHostsName, trustHostKey, verifyHostKey } from './known-hosts.js';
export type { SshExecutor } from './ssh-executor.js';
export { createSshExecutor } from './ssh-executor.js';
