// The key that signs web session cookies: WEB_SESSION_SECRET, or one generated once and kept in DATA_DIR (0600).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file, inside DATA_DIR, that keeps a generated secret. */
export const sessionSecretFile = 'web-session-secret';

/**
 * Returns the configured secret, or reads the kept one, or creates it (readable by this user only). Creating with
 * the exclusive flag means two processes starting at once agree on one secret instead of overwriting each other.
 */
export async function loadSessionSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, sessionSecretFile);
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, `${fresh}\n`, { flag: 'wx', mode: 0o600 });
    await chmod(file, 0o600);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = await readSecret(file);
    if (!other) throw error;
    return other;
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
