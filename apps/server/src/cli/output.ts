/** How the CLI prints: colour only on a TTY (and never with NO_COLOR), JSON for scripts. */
const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;

const paint = (code: number) => (text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
export const dim = paint(2);
export const bold = paint(1);
const red = paint(31);
const green = paint(32);
const yellow = paint(33);
const cyan = paint(36);

/** A status word, coloured by what it means for the person. */
export function status(value: string): string {
  if (['completed', 'done', 'online', 'merged', 'answered', 'delivered'].includes(value)) return green(value);
  if (['failed', 'canceled', 'disabled', 'offline', 'closed'].includes(value)) return red(value);
  if (['waiting_input', 'paused', 'open', 'draining', 'waiting_capacity'].includes(value))
    return yellow(value);
  return cyan(value);
}

/** One line of JSON: the same bytes the quick reads print (`quick-read.ts`) when the server answers. */
export function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function money(usd: number): string {
  return `$${usd.toFixed(usd >= 10 ? 2 : 4)}`;
}
