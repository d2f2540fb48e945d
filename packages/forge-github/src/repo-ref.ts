import { OrchaError } from '@orcha/model';

export interface RepoRef {
  owner: string;
  name: string;
}

/** `acme/app`, `https://github.com/acme/app(.git)` or `git@github.com:acme/app.git` → owner and name. */
export function parseRepo(repo: string): RepoRef {
  const path = repo
    .replace(/^[a-z]+:\/\/[^/]+\//, '')
    .replace(/^[^@/]+@[^:]+:/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const parts = path.split('/').filter(Boolean);
  const owner = parts[parts.length - 2];
  const name = parts[parts.length - 1];
  if (!owner || !name || !/^[A-Za-z0-9_.-]+$/.test(owner) || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new OrchaError('invalid_argument', `cannot tell the GitHub owner/name of ${repo}`);
  }
  return { owner, name };
}
