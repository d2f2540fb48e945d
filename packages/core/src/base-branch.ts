import { isOrchaError, OrchaError } from '@orcha/model';
import type { Context } from './context.js';

/**
 * The branch work on `repo` starts from and its pull requests go to: the one named, else the repository's
 * default branch as the forge reports it — never a guess. A repository the forge cannot see is `not_found`
 * (or whatever else the forge answered), so nothing is made for it.
 */
export async function resolveBaseBranch(
  ctx: Context,
  repo: string,
  named: string | null | undefined,
): Promise<string> {
  if (named) return named;
  try {
    return (await ctx.forge.getRepository({ repo })).defaultBranch;
  } catch (error) {
    if (isOrchaError(error, 'not_found'))
      throw new OrchaError(
        'not_found',
        `the forge (${ctx.forge.name}) has no repository ${repo}, or its credentials cannot see it: ${error.message}`,
        { repo },
      );
    throw error;
  }
}
