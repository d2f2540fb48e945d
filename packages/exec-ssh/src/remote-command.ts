import { quoteShellArg } from '@orcha/exec';

/** Exit statuses the remote wrappers use to say what went wrong before the command ran. */
export const missingDirectoryStatus = 200;
export const missingCommandStatus = 201;

export const missingEnvironmentStatus = 202;

/** The descriptor a command's given input is opened on before it becomes its stdin. */
const inputFd = 4;

/**
 * `export NAME='value'` lines for an environment. Shell builtins only: sent to a shell on its input (or
 * in a 0600 file it sources), the values never appear on any process's command line, where other users of
 * the machine could read them.
 */
export function environmentExports(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`invalid environment variable name ${key}`);
    return `export ${key}=${quoteShellArg(value)}`;
  });
}

/**
 * Builds the shell text that runs one command on the remote side: set its environment (exported by the
 * shell, or sourced from `envFile`, which is removed at once), change to `cwd`, check the command exists
 * (on the PATH the environment may set), then replace the shell with it — under `setsid` unless `ownGroup`
 * is false (the caller's shell gave it a group already) — so the command leads its own process group (its
 * pid is its group id) and cancel can kill the whole group. Every value is single-quoted.
 */
export function remoteCommand(
  command: string,
  args: readonly string[],
  options: {
    cwd?: string | undefined;
    env?: Record<string, string> | undefined;
    envFile?: string | undefined;
    stdinFd?: number;
    /**
     * Text for the command's stdin, carried in the line itself (base64) into an unlinked 0600 temp file:
     * on a pooled shell it needs no channel of its own, and it never appears on a command line.
     */
    input?: string | undefined;
    ownGroup?: boolean;
  },
): string {
  const parts: string[] = [];
  let stdinFd = options.stdinFd;
  if (options.input !== undefined) {
    stdinFd = inputFd;
    const data = Buffer.from(options.input, 'utf8').toString('base64');
    parts.push(
      `__orcha_in=$(umask 077; mktemp "\${TMPDIR:-/tmp}/orcha-in.XXXXXX") && printf '%s' '${data}' | base64 -d > "$__orcha_in" && exec ${inputFd}< "$__orcha_in" && rm -f -- "$__orcha_in" || { echo "orcha: could not pass the input" >&2; exit 1; }`,
    );
  }
  if (options.envFile) {
    const file = quoteShellArg(options.envFile);
    parts.push(
      `if [ -r ${file} ]; then . ${file}; rm -f -- ${file}; else echo "orcha: the environment file is gone: "${file} >&2; exit ${missingEnvironmentStatus}; fi`,
    );
  }
  parts.push(...environmentExports(options.env ?? {}));
  if (options.cwd) {
    parts.push(
      `cd -- ${quoteShellArg(options.cwd)} 2>/dev/null || { echo "orcha: no such directory: "${quoteShellArg(options.cwd)} >&2; exit ${missingDirectoryStatus}; }`,
    );
  }
  parts.push(
    `command -v ${quoteShellArg(command)} >/dev/null 2>&1 || { echo "orcha: command not found: "${quoteShellArg(command)} >&2; exit ${missingCommandStatus}; }`,
  );
  const invocation = [quoteShellArg(command), ...args.map(quoteShellArg)].join(' ');
  const stdin = stdinFd !== undefined ? ` 0<&${stdinFd} ${stdinFd}<&-` : '';
  parts.push(
    options.ownGroup === false
      ? `exec ${invocation}${stdin}`
      : `if command -v setsid >/dev/null 2>&1; then exec setsid ${invocation}${stdin}; else exec ${invocation}${stdin}; fi`,
  );
  return parts.join('\n');
}
