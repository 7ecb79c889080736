// The admin-only chat command `roles list|grant|revoke <platform:user> <role>`.
import type { BotFeature, TurnContext } from '../bot/feature.ts';
import { escapeMarkdown } from '../messages/markdown.ts';
import { type Reply, reply } from '../messages/replies.ts';
import { parseRole, parseUserKey, type RoleAdmin } from './role-admin.ts';

const usage =
  'Use `roles list`, `roles grant <platform:user> <role>` or `roles revoke <platform:user> <role>`, with a role of liaison, it-staff or admin — e.g. `roles grant slack:U012AB3CD liaison`.';

/** The roles feature. */
export function createRolesFeature(admin: RoleAdmin): BotFeature {
  async function run(ctx: TurnContext, args: string): Promise<Reply[]> {
    // The role may be two words ("IT staff").
    const [verb = '', who = '', ...roleWords] = args.trim().split(/\s+/);
    const roleName = roleWords.join(' ');
    if (!ctx.roles.isAdmin()) {
      ctx.logger.info(
        { userKey: ctx.userKey, attempted: `roles ${verb}`.trim() },
        'Refused: roles needs the admin role',
      );
      return [
        reply.notice(
          'info',
          'Sorry, only IT Buddy admins can view or change roles. If you need a role, ask one of them.',
        ),
      ];
    }
    const action = verb.toLowerCase();
    if (action === 'list' || action === '') {
      const rows = await admin.list();
      if (rows.length === 0)
        return [
          reply.text('Nobody has a role yet. Set ADMINS, LIAISONS and IT_STAFF, or use `roles grant`.'),
        ];
      return [
        {
          type: 'card',
          kind: 'list',
          title: 'Roles',
          sections: [
            {
              text: rows
                .map(
                  (r) =>
                    `- \`${escapeMarkdown(r.userKey)}\` · ${r.role} · ${r.source === 'config' ? 'configuration' : `granted by ${escapeMarkdown(r.grantedBy ?? '?')}`}`,
                )
                .join('\n'),
            },
          ],
        },
      ];
    }
    if (action !== 'grant' && action !== 'revoke') return [reply.text(usage)];
    if (!who || !roleName) return [reply.text(usage)];
    const userKey = parseUserKey(who);
    const role = parseRole(roleName);
    // Say which part was not understood: a person without their platform is the usual slip.
    if (!userKey)
      return [
        reply.text(
          `I can't tell who \`${escapeMarkdown(who)}\` is: name people with their platform, like \`web:${escapeMarkdown(who.replace(/^[^:]*:/, '') || 'alice')}\` or \`slack:U012AB3CD\`.`,
        ),
      ];
    if (!role)
      return [
        reply.text(
          `\`${escapeMarkdown(roleName)}\` is not a role: use liaison, it-staff or admin — e.g. \`roles grant ${escapeMarkdown(userKey)} liaison\`.`,
        ),
      ];
    const result =
      action === 'grant'
        ? await admin.grant(userKey, role, ctx.userKey, ctx.now.toISOString())
        : await admin.revoke(userKey, role, ctx.userKey);
    ctx.logger.info(
      { by: ctx.userKey, target: userKey, role, action, changed: result.changed },
      'Role change',
    );
    return [reply.notice(result.changed ? 'success' : 'info', escapeMarkdown(result.message))];
  }

  return {
    name: 'roles',
    commands: { roles: run },
    help: (ctx) =>
      ctx.roles.isAdmin()
        ? ['`roles list|grant|revoke <platform:user> <role>` – manage who may do what']
        : [],
  };
}
