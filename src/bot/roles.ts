// Who may do what: IT staff triage requests, liaisons publish announcements, admins do both and manage roles.
import type { Config } from '../config/load-config.ts';
import type { RoleEntry } from '../config/role-list.ts';
import { anonymousWebIdPrefix } from '../config/web-config.ts';

export type Role = 'it_staff' | 'liaison' | 'admin';

/** Role checks for one user, from configuration plus any grants kept in the store. */
export interface Roles {
  has(role: Role): boolean;
  /** IT staff or admin. */
  canTriage(): boolean;
  /** Liaison or admin. */
  canPublish(): boolean;
  isAdmin(): boolean;
}

/** A source of roles granted at run time (the store); configuration always applies too. */
export interface RoleGrants {
  rolesOf(userKey: string): Promise<Role[]>;
}

function listed(entries: RoleEntry[], userKey: string): boolean {
  return entries.some((e) => `${e.platform}:${e.userId}` === userKey);
}

/** True for a web user the server knows only by an anonymous session: such a user never holds a role. */
export function isAnonymousWebUser(userKey: string): boolean {
  return userKey.startsWith(`web:${anonymousWebIdPrefix}`);
}

/** Resolves the roles of `userKey` from configuration and grants. */
export async function resolveRoles(config: Config, userKey: string, grants?: RoleGrants): Promise<Roles> {
  const set = new Set<Role>();
  // Only a signed-in web identity (single sign-on, OpenID Connect, trial) may hold a role: role lists and grants
  // never apply to an anonymous session, whatever id an admin typed.
  if (isAnonymousWebUser(userKey)) return rolesFrom(set);
  if (listed(config.roles.itStaff, userKey)) set.add('it_staff');
  if (listed(config.roles.liaisons, userKey)) set.add('liaison');
  if (listed(config.roles.admins, userKey)) set.add('admin');
  for (const role of (await grants?.rolesOf(userKey)) ?? []) set.add(role);
  return rolesFrom(set);
}

/** Role checks over a fixed set. */
export function rolesFrom(set: Set<Role>): Roles {
  return {
    has: (role) => set.has(role),
    canTriage: () => set.has('it_staff') || set.has('admin'),
    canPublish: () => set.has('liaison') || set.has('admin'),
    isAdmin: () => set.has('admin'),
  };
}
