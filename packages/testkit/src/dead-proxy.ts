import { createServer } from 'node:net';

/**
 * Every proxy variable pointed at a local port nothing listens on, so traffic a CLI sends anywhere but
 * the loopback fakes (`NO_PROXY`) fails at once instead of leaving the machine.
 */
export async function deadProxyEnv(): Promise<Record<string, string>> {
  const deadProxy = `http://127.0.0.1:${await closedPort()}`;
  return {
    HTTPS_PROXY: deadProxy,
    HTTP_PROXY: deadProxy,
    https_proxy: deadProxy,
    http_proxy: deadProxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port for the dead proxy');
  return address.port;
}
