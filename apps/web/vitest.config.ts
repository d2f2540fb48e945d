import { packageProject } from '../../vitest.shared.ts';

export default packageProject('web', { testTimeout: 60_000 });
