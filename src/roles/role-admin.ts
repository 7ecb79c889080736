// Role administration shared by the chat command and the CLI: list, grant and revoke, with configuration roles
// shown alongside store grants (configuration cannot be changed from here, and the message says where it can).
import { isAnonymousWebUser, type Role, type RoleGrants } from '../bot/roles.ts';
import type { Config } from '../config/load-config.ts';
import { parseRoleEntry } from '../config/role-list.ts';
import type { RoleGrantStore } from '../store/repositories/role-grants.ts';

/** Role names people may type, mapped to roles. */
const roleAliases: Record<string, Role> = {
  liaison: 'liaison',
  liaisons: 'liaison',
  admin: 'admin',
  admins: 'admin',
  it_staff: 'it_staff',
  'it-staff': 'it_staff',
  itstaff: 'it_staff',
  'it staff': 'it_staff',
  staff: 'it_staff',
};

/** The configuration variable behind each role. */
export const roleVariables: Record<Role, string> = {
  it_staff: 'IT_STAFF',
  liaison: 'LIAISONS',
  admin: 'ADMINS',
};

/** Reads a role name ("liaison", "it-staff", "admin"); undefined when it is none of them. */
export function parseRole(text: string): Role | undefined {
  return roleAliases[text.trim().toLowerCase()];
}

/** Reads "platform:userId" (e.g. slack:U012AB3CD); undefined when malformed. */
export function parseUserKey(text: string): string | undefined {
  // The same forms as the role variables: Teams users by Entra object id, however it was pasted.
  const parsed = parseRoleEntry(text);
  if ('problem' in parsed || parsed.entry.userId.length > 200) return undefined;
  return `${parsed.entry.platform}:${parsed.entry.userId}`;
}

/** RoleGrants (what the router asks on every turn) over the store. */
export function createStoreRoleGrants(store: RoleGrantStore): RoleGrants {
  return {
    rolesOf: async (userKey) => (await store.of(userKey)).map((g) => g.role),
  };
}

/** One row of `roles list`. */
export interface RoleRow {
  userKey: string;
  role: Role;
  source: 'config' | 'granted';
  grantedBy?: string;
  grantedAt?: string;
}

/** The outcome of a grant or revoke, as a sentence for people. */
export interface RoleChange {
  changed: boolean;
  message: string;
}

/** List, grant and revoke over configuration and the store. */
export interface RoleAdmin {
  list(): Promise<RoleRow[]>;
  grant(userKey: string, role: Role, by: string, atIso: string): Promise<RoleChange>;
  revoke(userKey: string, role: Role, by: string): Promise<RoleChange>;
  /** Everyone holding `role`, from configuration and grants. */
  holders(role: Role): Promise<string[]>;
}

/** Role administration for `config` and the grant store. */
export function createRoleAdmin(config: Config, store: RoleGrantStore): RoleAdmin {
  const configured = (): RoleRow[] => [
    ...config.roles.admins.map((e) => ({
      userKey: `${e.platform}:${e.userId}`,
      role: 'admin' as const,
      source: 'config' as const,
    })),
    ...config.roles.liaisons.map((e) => ({
      userKey: `${e.platform}:${e.userId}`,
      role: 'liaison' as const,
      source: 'config' as const,
    })),
    ...config.roles.itStaff.map((e) => ({
      userKey: `${e.platform}:${e.userId}`,
      role: 'it_staff' as const,
      source: 'config' as const,
    })),
  ];
  const inConfig = (userKey: string, role: Role) =>
    configured().some((r) => r.userKey === userKey && r.role === role);
  return {
    async list() {
      const granted: RoleRow[] = (await store.all()).map((g) => ({
        userKey: g.userKey,
        role: g.role,
        source: 'granted',
        grantedBy: g.grantedBy,
        grantedAt: g.grantedAt,
      }));
      return [...configured(), ...granted].sort(
        (a, b) => a.role.localeCompare(b.role) || a.userKey.localeCompare(b.userKey),
      );
    },
    async grant(userKey, role, by, atIso) {
      // Such a grant would be stored and never count (anonymous sessions hold no role): refuse it and say why.
      if (isAnonymousWebUser(userKey)) {
        return {
          changed: false,
          message: `${userKey} is an anonymous web session, which never holds a role. Ask the person to sign in (single sign-on or OpenID Connect) and grant the role to the id they sign in with.`,
        };
      }
      if (inConfig(userKey, role)) {
        return { changed: false, message: `${userKey} is already ${role} through ${roleVariables[role]}.` };
      }
      const added = await store.grant({ userKey, role, grantedBy: by, grantedAt: atIso });
      return added
        ? { changed: true, message: `${userKey} is now ${role}.` }
        : { changed: false, message: `${userKey} already had ${role}.` };
    },
    async revoke(userKey, role) {
      const removed = await store.revoke(userKey, role);
      if (inConfig(userKey, role)) {
        return {
          changed: removed,
          message: `${userKey} has ${role} through ${roleVariables[role]} in the configuration; remove them there to take it away.`,
        };
      }
      return removed
        ? { changed: true, message: `${userKey} is no longer ${role}.` }
        : { changed: false, message: `${userKey} did not have a granted ${role} role.` };
    },
    async holders(role) {
      const keys = new Set(
        configured()
          .filter((r) => r.role === role)
          .map((r) => r.userKey),
      );
      for (const g of await store.all()) if (g.role === role) keys.add(g.userKey);
      return [...keys];
    },
  };
}
