// Where a new request is posted: IT_DESTINATIONS by default, or the destinations of every IT_ROUTES rule that
// matches the request. Syntax (also in docs/intake.md):
//
//   IT_DESTINATIONS = slack:C0123,teams:19:abc@thread.tacv2,web:it
//   IT_ROUTES       = kind:access=slack:C0AAA;department:Finance=teams:19:fin@thread.tacv2;priority:P1&kind:incident=slack:C0BBB,slack:C0123
//
// A rule is `conditions=destinations`; conditions are `field:value` joined by `&` (all must hold), fields are
// kind, department, priority and urgency, values compare without regard to case. When any rule matches, the
// request goes to the union of the matching rules' destinations instead of IT_DESTINATIONS.
import { parseDestination } from '../channels/channel-adapter.ts';
import { ConfigError } from '../errors.ts';
import type { Platform } from '../messages/incoming.ts';
import type { RequestRecord } from './request-schema.ts';

/** One place to post: a platform and its channel id. */
export interface Destination {
  platform: Platform;
  id: string;
}

const routeFields = ['kind', 'department', 'priority', 'urgency'] as const;
type RouteField = (typeof routeFields)[number];

/** One IT_ROUTES rule. */
export interface Route {
  conditions: { field: RouteField; value: string }[];
  destinations: Destination[];
}

/** The parsed routing table. */
export interface Routing {
  defaults: Destination[];
  routes: Route[];
}

/** Parses a comma list of `platform:id`; throws a ConfigError naming `variable` and the bad entry. */
export function parseDestinations(variable: string, raw: string | undefined): Destination[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const parsed = parseDestination(entry);
      if (!parsed) {
        throw new ConfigError(
          `${variable}: expected destinations like slack:C0123, teams:19:abc@thread.tacv2 or web:it (got "${entry}").`,
        );
      }
      return parsed;
    });
}

/** Parses IT_ROUTES; throws a ConfigError pointing at the rule that is wrong. */
export function parseRoutes(raw: string | undefined): Route[] {
  if (!raw) return [];
  return raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((rule) => {
      const eq = rule.indexOf('=');
      if (eq < 1) {
        throw new ConfigError(
          `IT_ROUTES: expected rules like kind:access=slack:C0123 separated by ; (got "${rule}").`,
        );
      }
      const conditions = rule
        .slice(0, eq)
        .split('&')
        .map((c) => {
          const colon = c.indexOf(':');
          const field = c.slice(0, colon).trim().toLowerCase();
          const value = c.slice(colon + 1).trim();
          if (colon < 1 || !value || !(routeFields as readonly string[]).includes(field)) {
            throw new ConfigError(
              `IT_ROUTES: conditions are kind:, department:, priority: or urgency: followed by a value (got "${c.trim()}" in "${rule}").`,
            );
          }
          return { field: field as RouteField, value };
        });
      const destinations = parseDestinations('IT_ROUTES', rule.slice(eq + 1));
      if (destinations.length === 0)
        throw new ConfigError(`IT_ROUTES: the rule "${rule}" has no destination.`);
      return { conditions, destinations };
    });
}

/** Reads both variables into a routing table. */
export function parseRouting(destinations: string | undefined, routes: string | undefined): Routing {
  return { defaults: parseDestinations('IT_DESTINATIONS', destinations), routes: parseRoutes(routes) };
}

function fieldValue(record: RequestRecord, field: RouteField): string {
  return (field === 'department' ? (record.department ?? '') : record[field]).toLowerCase();
}

/** Where `record` is posted, without duplicates. */
export function destinationsFor(routing: Routing, record: RequestRecord): Destination[] {
  const matched = routing.routes.filter((r) =>
    r.conditions.every((c) => fieldValue(record, c.field) === c.value.toLowerCase()),
  );
  const chosen = matched.length > 0 ? matched.flatMap((r) => r.destinations) : routing.defaults;
  const seen = new Set<string>();
  return chosen.filter((d) => {
    const key = `${d.platform}:${d.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
