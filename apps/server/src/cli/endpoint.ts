/** Where a command reaches the server: `--url`, else `$ORCHA_URL`, else the default; the token from the environment. */
export interface Endpoint {
  baseUrl: string;
  token: string | undefined;
}

export const defaultUrl = 'http://127.0.0.1:8080';

export function endpointOf(url: string | undefined, env: NodeJS.ProcessEnv = process.env): Endpoint {
  return { baseUrl: url ?? env.ORCHA_URL ?? defaultUrl, token: env.ORCHA_API_TOKEN || undefined };
}
