import { OrchaApiError } from '@orcha/client';
import { exit } from './exit-codes.js';

/** Bad input the CLI noticed itself: exit 2. */
export class UsageError extends Error {}

/** A command ended on something the person must do (answer a question): exit 3. */
export class NeedsPerson extends Error {}

/** One readable line for an error (with the API's code), and its exit code. */
export function describe(error: unknown): { message: string; code: number } {
  if (error instanceof OrchaApiError) {
    const code = error.code === 'invalid_argument' ? exit.usage : exit.failed;
    return { message: `${error.message} (${error.code})`, code };
  }
  if (error instanceof UsageError) return { message: error.message, code: exit.usage };
  if (error instanceof NeedsPerson) return { message: error.message, code: exit.needsPerson };
  return { message: error instanceof Error ? error.message : String(error), code: exit.failed };
}
