import type { Logger } from '@orcha/core';

/** Log lines on stderr: time, level, message, then fields as JSON. */
export function createLogger(): Logger {
  return (level, message, fields) => {
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}${extra}\n`);
  };
}
