// Roles granted at run time by admins (`roles grant`), kept in the store; configuration roles always apply too.
import { z } from 'zod';
import { DuplicateKeyError } from '../../errors.ts';
import type { DocumentStore } from '../document-store.ts';

export const roleNames = ['it_staff', 'liaison', 'admin'] as const;

export const roleGrantSchema = z.object({
  /** "userKey|role". */
  id: z.string().min(3).max(400),
  userKey: z.string().min(3).max(300),
  role: z.enum(roleNames),
  grantedBy: z.string().max(300),
  grantedAt: z.iso.datetime(),
});
export type RoleGrant = z.infer<typeof roleGrantSchema>;

export const roleGrantCollection = {
  name: 'role_grants',
  schema: roleGrantSchema,
  key: 'id',
  indexes: [{ fields: ['userKey'] }],
} as const;

/** Repository over role grants. */
export interface RoleGrantStore {
  /** Adds the grant; false when the user already had it. */
  grant(g: Omit<RoleGrant, 'id'>): Promise<boolean>;
  /** Removes the grant; false when there was none. */
  revoke(userKey: string, role: RoleGrant['role']): Promise<boolean>;
  of(userKey: string): Promise<RoleGrant[]>;
  all(): Promise<RoleGrant[]>;
}

/** Role grants on any document store. */
export function createRoleGrantStore(store: DocumentStore): RoleGrantStore {
  const c = store.collection(roleGrantCollection);
  const idOf = (userKey: string, role: string) => `${userKey}|${role}`;
  return {
    async grant(g) {
      try {
        await c.insert({ id: idOf(g.userKey, g.role), ...g });
        return true;
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false;
        throw error;
      }
    },
    revoke: (userKey, role) => c.delete(idOf(userKey, role)),
    of: (userKey) => c.find({ where: { userKey }, limit: 10 }),
    all: () => c.find({ orderBy: { field: 'userKey', direction: 'asc' }, limit: 10_000 }),
  };
}
