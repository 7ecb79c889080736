// Parses role lists such as "slack:U012AB3CD,teams:29:1a2b,web:alice" into platform-qualified user ids.
import { ConfigError } from '../errors.ts';

/** One user named in a role list. */
export interface RoleEntry {
  platform: 'web' | 'slack' | 'teams' | 'cli';
  userId: string;
}

const platforms = new Set(['web', 'slack', 'teams', 'cli']);

/** Parses a comma-separated list; throws a ConfigError naming the variable and the bad entry. */
export function parseRoleList(variable: string, raw: string | undefined): RoleEntry[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const platform = entry.slice(0, colon);
      const userId = entry.slice(colon + 1);
      if (colon < 1 || !platforms.has(platform) || !userId) {
        throw new ConfigError(
          `${variable}: expected entries like slack:U012AB3CD or teams:29:1a2b (got "${entry}").`,
        );
      }
      return { platform: platform as RoleEntry['platform'], userId };
    });
}
