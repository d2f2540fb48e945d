import { posix } from 'node:path';
import type { FileOperations } from '@orcha/exec';
import { OrchaError } from '@orcha/model';
import type { SFTPWrapper } from 'ssh2';
import type { SshConnection } from './connection.js';

/** Resolves `path` under `root` on the remote (POSIX) side; anything outside it is refused. */
export function confine(root: string, path: string): string {
  const base = posix.resolve('/', root);
  const resolved = posix.resolve(base, path);
  if (resolved !== base && !resolved.startsWith(`${base}/`)) {
    throw new OrchaError('forbidden', `${path} is outside ${root}`);
  }
  return resolved;
}

const call = <T>(fn: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));

/**
 * One SFTP session per connection pool, opened on first use and reopened after it closes, shared by every
 * `files()` view of an executor (each would otherwise hold a channel of its own).
 */
export function sftpSession(connection: SshConnection): () => Promise<SFTPWrapper> {
  let session: Promise<SFTPWrapper> | null = null;
  return () => {
    session ??= connection.sftp().then(
      (wrapper) => {
        wrapper.once('close', () => {
          session = null;
        });
        return wrapper;
      },
      (error: unknown) => {
        session = null;
        throw error instanceof OrchaError ? error : new OrchaError('unavailable', `sftp: ${String(error)}`);
      },
    );
    return session;
  };
}

/** Small file operations over SFTP, confined to `root`. */
export function sftpFiles(sftp: () => Promise<SFTPWrapper>, root: string): FileOperations {
  const notFound = (error: unknown, path: string) => {
    if ((error as { code?: number }).code === 2) return new OrchaError('not_found', `no such file: ${path}`);
    return error;
  };
  const mkdirs = async (wrapper: SFTPWrapper, dir: string) => {
    const parts = dir.split('/').filter(Boolean);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      await call<void>((done) =>
        wrapper.mkdir(current, (error) =>
          done(error && (error as { code?: number }).code !== 4 ? error : null),
        ),
      ).catch(async (error) => {
        const exists = await call((done) => wrapper.stat(current, done)).then(
          () => true,
          () => false,
        );
        if (!exists) throw error;
      });
    }
  };
  return {
    root,
    async read(path) {
      const full = confine(root, path);
      const wrapper = await sftp();
      try {
        return (await call<Buffer>((done) => wrapper.readFile(full, done))).toString('utf8');
      } catch (error) {
        throw notFound(error, path);
      }
    },
    async write(path, content, options) {
      const full = confine(root, path);
      const wrapper = await sftp();
      await mkdirs(wrapper, posix.dirname(full));
      await call<void>((done) => wrapper.writeFile(full, content, { mode: options?.mode ?? 0o644 }, done));
    },
    async mkdir(path) {
      await mkdirs(await sftp(), confine(root, path));
    },
    async exists(path) {
      const wrapper = await sftp();
      return call((done) => wrapper.stat(confine(root, path), done)).then(
        () => true,
        () => false,
      );
    },
    async remove(path) {
      const full = confine(root, path);
      if (full === posix.resolve('/', root))
        throw new OrchaError('forbidden', 'refusing to remove the root itself');
      const wrapper = await sftp();
      await call<void>((done) => wrapper.unlink(full, done)).catch((error) => {
        if ((error as { code?: number }).code !== 2) throw error;
      });
    },
  };
}
