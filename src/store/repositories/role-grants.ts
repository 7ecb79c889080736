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

/**
 * What every turn reads: all grants of one store, loaded at once and kept for a few seconds. Grants are few, and
 * asking the store for them on every message cost more than answering it. One snapshot per store, shared by
 * every repository opened on it, so a grant or revoke made in this process takes effect at once; one made by
 * another process on the same database (a second replica, the CLI) within `snapshotMs`.
 */
interface GrantSnapshot {
  /** Grants by user; 'too-many' when there are too many to keep, undefined when not loaded. */
  byUser: GrantsByUser | undefined;
  loadedAt: number;
  loading: Promise<GrantsByUser> | undefined;
  /** Bumped by every change, so a load that began before it is not kept. */
  generation: number;
}

type GrantsByUser = Map<string, RoleGrant[]> | 'too-many';

const snapshots = new WeakMap<DocumentStore, GrantSnapshot>();
/** More grants than this and the snapshot is not kept: each turn asks the store for its user only. */
const snapshotLimit = 10_000;

/** Role grants on any document store. */
export function createRoleGrantStore(
  store: DocumentStore,
  options: { snapshotMs?: number; now?: () => number } = {},
): RoleGrantStore {
  const c = store.collection(roleGrantCollection);
  const snapshotMs = options.snapshotMs ?? 5_000;
  const now = options.now ?? Date.now;
  const idOf = (userKey: string, role: string) => `${userKey}|${role}`;
  let snapshot = snapshots.get(store);
  if (!snapshot) {
    snapshot = { byUser: undefined, loadedAt: 0, loading: undefined, generation: 0 };
    snapshots.set(store, snapshot);
  }
  const shared = snapshot;
  const all = () => c.find({ orderBy: { field: 'userKey', direction: 'asc' }, limit: snapshotLimit });
  const changed = () => {
    shared.generation += 1;
    shared.byUser = undefined;
    shared.loading = undefined;
  };

  async function load(): Promise<GrantsByUser> {
    const generation = shared.generation;
    try {
      const grants = await all();
      let byUser: GrantsByUser = 'too-many';
      if (grants.length < snapshotLimit) {
        byUser = new Map();
        for (const g of grants) byUser.set(g.userKey, [...(byUser.get(g.userKey) ?? []), g]);
      }
      if (shared.generation === generation) {
        shared.byUser = byUser;
        shared.loadedAt = now();
      }
      return byUser;
    } finally {
      // A failed load is not kept either: the next turn tries again.
      if (shared.generation === generation) shared.loading = undefined;
    }
  }

  return {
    async grant(g) {
      try {
        await c.insert({ id: idOf(g.userKey, g.role), ...g });
        return true;
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false;
        throw error;
      } finally {
        changed();
      }
    },
    async revoke(userKey, role) {
      try {
        return await c.delete(idOf(userKey, role));
      } finally {
        changed();
      }
    },
    async of(userKey) {
      let byUser = now() - shared.loadedAt < snapshotMs ? shared.byUser : undefined;
      if (!byUser) {
        const loading = shared.loading ?? load();
        shared.loading = loading;
        byUser = await loading;
      }
      return byUser === 'too-many' ? c.find({ where: { userKey }, limit: 10 }) : (byUser.get(userKey) ?? []);
    },
    all,
  };
}
