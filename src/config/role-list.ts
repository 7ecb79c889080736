// Parses role lists such as "slack:U012AB3CD,teams:6f1c2d3e-…,web:alice" into platform-qualified user ids. Teams
// users are keyed by their Microsoft Entra object id, so the forms people paste for them are normalised to it.
import { ConfigError } from '../errors.ts';

/** One user named in a role list. */
export interface RoleEntry {
  platform: 'web' | 'slack' | 'teams' | 'cli';
  userId: string;
}

const platforms = new Set(['web', 'slack', 'teams', 'cli']);
const guid = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** How a Teams user is written, for messages: the same wording in config errors, CLI usage and docs. */
export const teamsUserExample = 'teams:<Entra object id>, e.g. teams:6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

const teamsHelp =
  'Teams users are listed by their Microsoft Entra object id (Entra admin center → Users → the person → Object ID)';

/**
 * Reads one `platform:user` entry. A bare GUID, `teams:{GUID}` in any case and `teams:8:orgid:GUID` all mean that
 * Entra object id; a Teams conversation id (`29:…`) or an email address is refused with what to use instead.
 */
export function parseRoleEntry(text: string): { entry: RoleEntry } | { problem: string } {
  const entry = text.trim();
  const bareGuid = guid.exec(entry);
  if (bareGuid) return { entry: { platform: 'teams', userId: bareGuid[1]!.toLowerCase() } };
  const colon = entry.indexOf(':');
  const platform = entry.slice(0, colon);
  const userId = entry.slice(colon + 1).trim();
  if (colon < 1 || !platforms.has(platform) || !userId || /\s/.test(userId)) {
    return {
      problem: `expected entries like slack:U012AB3CD, ${teamsUserExample} or web:alice (got "${entry}")`,
    };
  }
  if (platform !== 'teams') return { entry: { platform: platform as RoleEntry['platform'], userId } };
  const objectId = guid.exec(userId) ?? guid.exec(userId.replace(/^8:orgid:/i, ''));
  if (objectId) return { entry: { platform: 'teams', userId: objectId[1]!.toLowerCase() } };
  if (/^(?:29|28|19):/.test(userId)) {
    return {
      problem: `"${entry}" is a Teams conversation id, not a person. ${teamsHelp}: write ${teamsUserExample}`,
    };
  }
  return { problem: `"${entry}" is not a Teams user id. ${teamsHelp}: write ${teamsUserExample}` };
}

/** Parses a comma-separated list; throws a ConfigError naming the variable and the bad entry. */
export function parseRoleList(variable: string, raw: string | undefined): RoleEntry[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const parsed = parseRoleEntry(text);
      if ('problem' in parsed) throw new ConfigError(`${variable}: ${parsed.problem}.`);
      return parsed.entry;
    });
}
