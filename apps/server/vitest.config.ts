import { packageProject } from '../../vitest.shared.ts';

// Whole-system tests: real `orcha` processes, agent CLIs, sshd and git remotes; a busy machine slows them.
export default packageProject('server', { testTimeout: 60_000 });
