import type { Executor } from '@orcha/exec';
import { OrchaError } from '@orcha/model';

export interface McpConfigFile {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * Writes the `--mcp-config` file for one run on the run's machine, readable only by its user: a file
 * rather than inline JSON keeps the session's bearer token out of the process list. The server is
 * `alwaysLoad`, so its tools are in the model's first request instead of behind ToolSearch.
 */
export async function writeMcpConfig(
  executor: Executor,
  serverName: string,
  mcp: { url: string; token: string },
): Promise<McpConfigFile> {
  const made = await executor.run('mktemp', ['-d', '/tmp/orcha-claude.XXXXXX']);
  const dir = made.stdout.trim();
  if (made.code !== 0 || !dir) {
    throw new OrchaError(
      'unavailable',
      `could not make a temp dir for the MCP config: ${made.stderr.trim()}`,
    );
  }
  const config = {
    mcpServers: {
      [serverName]: {
        type: 'http',
        url: mcp.url,
        headers: { Authorization: `Bearer ${mcp.token}` },
        alwaysLoad: true,
      },
    },
  };
  await executor.files(dir).write('mcp.json', `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return {
    path: `${dir}/mcp.json`,
    async remove() {
      await executor.run('rm', ['-rf', dir]);
    },
  };
}
