import { createHash, createHmac } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function matchesName(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern.split(',').includes(name);
}

export type HostKeyVerdict = { ok: true } | { ok: false; kind: 'unknown' | 'changed'; fingerprint: string };

/**
 * Checks a server's host key against a known_hosts file. A host absent from the file is `unknown`; a host
 * present with other keys is `changed`. Neither is ever accepted silently.
 */
export function verifyHostKey(knownHosts: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const encoded = key.toString('base64');
  let seen = false;
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const offset = parts[0]?.startsWith('@') ? 1 : 0;
    if (parts[0] === '@revoked') continue;
    const [names, , blob] = parts.slice(offset);
    if (!names || !blob || !matchesName(names, name)) continue;
    seen = true;
    if (blob === encoded) return { ok: true };
  }
  return { ok: false, kind: seen ? 'changed' : 'unknown', fingerprint: fingerprint(key) };
}

export async function readKnownHosts(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * The explicit, recorded action of trusting a host key: writes it to known_hosts. Earlier keys of the same
 * host are dropped, so trusting the new key of a reinstalled host does not keep the old one trusted too.
 * The file is replaced atomically and stays private (0600). Returns the line written.
 */
export async function trustHostKey(
  file: string,
  host: string,
  port: number,
  keyType: string,
  key: Buffer,
): Promise<string> {
  const name = knownHostsName(host, port);
  const kept = (await readKnownHosts(file)).split('\n').filter((raw) => {
    const line = raw.trim();
    if (!line) return false;
    if (line.startsWith('#')) return true;
    const parts = line.split(/\s+/);
    // Markers (@revoked, @cert-authority) are the person's own decisions: never dropped.
    if (parts[0]?.startsWith('@')) return true;
    return !matchesName(parts[0] ?? '', name);
  });
  const entry = `${name} ${keyType} ${key.toString('base64')}`;
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${[...kept, entry].join('\n')}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return entry;
}
