// The key that signs web session cookies: WEB_SESSION_SECRET, or one generated once and kept in DATA_DIR (0600).
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file, inside DATA_DIR, that keeps a generated secret. */
export const sessionSecretFile = 'web-session-secret';

/**
 * Returns the configured secret, or reads the kept one, or creates it (readable by this user only). The new secret
 * is written whole to a file of this process's own and then hard-linked into place: the link either appears with
 * the complete secret or fails because another process got there first, whose secret is then read. So two
 * processes starting at once on a fresh DATA_DIR agree on one secret, and neither reads a half-written file.
 */
export async function loadSessionSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, sessionSecretFile);
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(32).toString('base64url');
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, `${fresh}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await link(draft, file);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = await readSecret(file);
    if (!other) throw new Error(`${file} exists but holds no usable secret: delete it and start again.`);
    return other;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

async function readSecret(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text.length >= 32 ? text : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
