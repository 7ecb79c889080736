// `itbuddy roles list|grant|revoke <platform:user> <role>`: who may publish (liaison), triage (it-staff) and
// administer (admin). Configuration roles are listed too; grants and revocations change the store only.
import { parseRoleEntry, teamsUserExample } from '../../../src/config/role-list.ts';
import { createRoleAdmin, parseRole, parseUserKey } from '../../../src/roles/role-admin.ts';
import { createRoleGrantStore } from '../../../src/store/repositories/role-grants.ts';
import { type CliCommand, println, UsageError, unknownUse } from '../command.ts';
import { openCliStore } from '../core.ts';

const usage = [
  '  itbuddy roles list',
  '  itbuddy roles grant <platform:user> <role>',
  '  itbuddy roles revoke <platform:user> <role>',
  '',
  '  <platform:user>  e.g. slack:U012AB3CD, web:alice, or a Teams user by Entra object id:',
  `                   ${teamsUserExample}`,
  '  <role>           liaison, it-staff or admin',
  '',
  '  Roles set in LIAISONS, IT_STAFF and ADMINS always apply; change those in the configuration.',
].join('\n');

export const rolesCommand: CliCommand = {
  name: ['roles'],
  summary: 'List, grant and revoke roles (liaison, it-staff, admin)',
  usage,
  usesStore: true,
  async run(args, io) {
    const [verb = 'list', who, roleName, ...extra] = args;
    if (!['list', 'grant', 'revoke'].includes(verb) || extra.length > 0) throw unknownUse('roles', args);
    let target: { userKey: string; role: NonNullable<ReturnType<typeof parseRole>> } | undefined;
    if (verb !== 'list') {
      const userKey = who ? parseUserKey(who) : undefined;
      const parsed = who ? parseRoleEntry(who) : undefined;
      // A Teams entry gets the specific advice (conversation id, email); anything else the general shape.
      if (parsed && 'problem' in parsed && who?.startsWith('teams:'))
        throw new UsageError(`${parsed.problem}.`);
      const role = roleName ? parseRole(roleName) : undefined;
      if (!userKey)
        throw new UsageError(
          `Expected a user like slack:U012AB3CD, web:alice or ${teamsUserExample} (got "${who ?? ''}").`,
        );
      if (!role)
        throw new UsageError(`Expected a role of liaison, it-staff or admin (got "${roleName ?? ''}").`);
      target = { userKey, role };
    }
    const { config, logger, store, close } = await openCliStore(io);
    try {
      const admin = createRoleAdmin(config, createRoleGrantStore(store));
      if (!target) {
        const rows = await admin.list();
        if (rows.length === 0)
          println(
            io.stdout,
            'Nobody has a role yet. Set ADMINS, LIAISONS and IT_STAFF, or use `itbuddy roles grant`.',
          );
        for (const r of rows) {
          const source =
            r.source === 'config'
              ? 'configuration'
              : `granted by ${r.grantedBy} on ${r.grantedAt?.slice(0, 10)}`;
          println(io.stdout, `${r.userKey}\t${r.role}\t${source}`);
        }
        return 0;
      }
      const result =
        verb === 'grant'
          ? await admin.grant(target.userKey, target.role, 'cli', new Date().toISOString())
          : await admin.revoke(target.userKey, target.role, 'cli');
      logger.info(
        { target: target.userKey, role: target.role, action: verb, changed: result.changed },
        'Role change (CLI)',
      );
      println(io.stdout, `${result.changed ? '✓' : 'ℹ'} ${result.message}`);
      return 0;
    } finally {
      await close();
    }
  },
};
