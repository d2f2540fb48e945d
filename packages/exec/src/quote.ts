/** Characters that never need quoting in a POSIX shell word. */
const safeWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell (`sh -c`) so it reaches the program unchanged: plain words stay
 * as they are, everything else is wrapped in single quotes, with each `'` written as `'\''`.
 */
export function quoteShellArg(arg: string): string {
  if (arg.includes('\0')) throw new TypeError('a shell argument cannot contain a NUL byte');
  if (safeWord.test(arg)) return arg;
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Quotes each argument and joins them with spaces: the one command line a remote shell needs. */
export function quoteShellArgs(args: readonly string[]): string {
  return args.map(quoteShellArg).join(' ');
}
