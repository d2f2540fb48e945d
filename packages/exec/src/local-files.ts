import { access, mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { OrchaError } from '@orcha/model';
import type { FileOperations } from './executor.js';

/** File operations under `root`. Paths are relative to it; anything resolving outside is `forbidden`. */
export function createLocalFiles(root: string): FileOperations {
  const base = resolve(root);

  const inside = (candidate: string, parent: string) => {
    const rel = relative(parent, candidate);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };

  /** Lexical check first, then the same check on real paths so a symlink cannot lead out of root. */
  const confine = async (path: string): Promise<string> => {
    const target = resolve(base, path);
    if (!inside(target, base)) throw new OrchaError('forbidden', `path escapes ${base}: ${path}`);
    if (!inside(await realPrefix(target), await realPrefix(base))) {
      throw new OrchaError('forbidden', `path escapes ${base} through a link: ${path}`);
    }
    return target;
  };

  const translate = (error: unknown, path: string): never => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OrchaError('not_found', `no such file: ${path}`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new OrchaError('forbidden', `permission denied: ${path}`);
    if (code === 'EISDIR' || code === 'ENOTDIR') throw new OrchaError('invalid_argument', `${code}: ${path}`);
    throw error;
  };

  return {
    root: base,
    async read(path) {
      const target = await confine(path);
      return readFile(target, 'utf8').catch((error) => translate(error, path));
    },
    async write(path, content, options) {
      const target = await confine(path);
      await mkdir(dirname(target), { recursive: true }).catch((error) => translate(error, path));
      await writeFile(target, content, options?.mode === undefined ? {} : { mode: options.mode }).catch(
        (error) => translate(error, path),
      );
    },
    async mkdir(path) {
      const target = await confine(path);
      await mkdir(target, { recursive: true }).catch((error) => translate(error, path));
    },
    async exists(path) {
      const target = await confine(path);
      return access(target).then(
        () => true,
        () => false,
      );
    },
    async remove(path) {
      const target = await confine(path);
      if (target === base) throw new OrchaError('forbidden', `refusing to remove the root ${base}`);
      await rm(target, { recursive: true, force: true }).catch((error) => translate(error, path));
    },
  };
}

/** The real path of `path`'s nearest existing ancestor, with the part that does not exist yet appended. */
async function realPrefix(path: string): Promise<string> {
  let existing = path;
  while (true) {
    const real = await realpath(existing).catch(() => undefined);
    if (real !== undefined) return join(real, relative(existing, path));
    const parent = dirname(existing);
    if (parent === existing) return path;
    existing = parent;
  }
}
