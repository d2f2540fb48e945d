import { beforeEach, inject } from 'vitest';

// Without a server (none installed and not required here), every test of the PostgreSQL run says why it skips.
const server = inject('postgres');
beforeEach((context) => {
  if (!server.ok) context.skip(`PostgreSQL could not start: ${server.reason}`);
});
