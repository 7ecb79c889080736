// The web chat's identity and exposure settings, checked together: roles for web users need a sign-in method,
// and the trial sign-in exists only on this machine, never in production.
import { isIP } from 'node:net';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Env } from './env-schema.ts';
import type { RoleEntry } from './role-list.ts';

/** How the web chat knows who someone is, and which Host names it answers to. */
export interface WebConfig {
  /** Signs session cookies; undefined means one generated once and kept in `secretDir`. */
  sessionSecret: string | undefined;
  /** DATA_DIR, where a generated session secret is kept (also with MongoDB). */
  secretDir: string;
  /** Lifetime of an anonymous session (signed-in sessions last 12 hours). */
  sessionDays: number;
  /** A single-sign-on proxy's header, trusted only on connections from `proxies`. */
  sso: { header: string; proxies: string[] } | undefined;
  /** OpenID Connect sign-in (authorization code flow with PKCE). */
  oidc:
    | { issuer: string; clientId: string; clientSecret: string | undefined; scopes: string; idClaim: string }
    | undefined;
  /** Lets a person pick an identity on this machine (trying triage and publishing); never in production. */
  trialSignIn: boolean;
  /** Extra Host names (host or host:port), lower case. */
  allowedHosts: string[];
}

/** Anonymous web sessions carry ids in this namespace; no role list or grant ever applies to them. */
export const anonymousWebIdPrefix = 'anon:';

/** True for the loopback names and addresses a server on "this machine only" listens on. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Reads and checks the web settings; throws a ConfigError that says what to set instead. */
export function parseWebConfig(
  e: Env,
  roles: Record<'IT_STAFF' | 'LIAISONS' | 'ADMINS', RoleEntry[]>,
  publicUrl: string,
): WebConfig {
  if (Boolean(e.WEB_SSO_HEADER) !== Boolean(e.WEB_SSO_PROXIES)) {
    throw new ConfigError(
      'WEB_SSO_HEADER and WEB_SSO_PROXIES go together: the header is trusted only on connections from the proxy addresses.',
    );
  }
  const proxies = list(e.WEB_SSO_PROXIES).map((address) => {
    if (!isIP(address)) {
      throw new ConfigError(
        `WEB_SSO_PROXIES: expected IP addresses such as 10.0.0.5 (got "${address.slice(0, 60)}").`,
      );
    }
    return address.toLowerCase();
  });
  if (e.WEB_OIDC_ISSUER && !e.WEB_OIDC_CLIENT_ID) {
    throw new ConfigError(
      'WEB_OIDC_CLIENT_ID: required with WEB_OIDC_ISSUER (the client registered for IT Buddy).',
    );
  }
  if (e.WEB_TRIAL_SIGNIN) {
    if (e.NODE_ENV === 'production') {
      throw new ConfigError(
        'WEB_TRIAL_SIGNIN: never with NODE_ENV=production. Use WEB_SSO_HEADER or WEB_OIDC_ISSUER to sign people in.',
      );
    }
    if (!isLoopbackHost(e.HOST)) {
      throw new ConfigError(
        `WEB_TRIAL_SIGNIN: only on a loopback HOST such as 127.0.0.1 (got "${e.HOST.slice(0, 60)}"), since it lets anyone pick who they are.`,
      );
    }
    if (!isLoopbackHost(new URL(publicUrl).hostname)) {
      throw new ConfigError(
        'WEB_TRIAL_SIGNIN: only when PUBLIC_URL is on this machine (localhost), since it lets anyone pick who they are.',
      );
    }
  }
  const signIn = Boolean(proxies.length || e.WEB_OIDC_ISSUER || e.WEB_TRIAL_SIGNIN);
  for (const [variable, entries] of Object.entries(roles)) {
    const web = entries.filter((r) => r.platform === 'web');
    const anonymous = web.find((r) => r.userId.startsWith(anonymousWebIdPrefix));
    if (anonymous) {
      throw new ConfigError(
        `${variable}: web:${anonymous.userId} is an anonymous web session; roles go to signed-in web users only.`,
      );
    }
    if (web.length && !signIn) {
      throw new ConfigError(
        `${variable}: lists web:${web[0]?.userId}, but the web chat has no sign-in, so anyone could claim that name. Set WEB_SSO_HEADER and WEB_SSO_PROXIES, or WEB_OIDC_ISSUER and WEB_OIDC_CLIENT_ID, or (to try it on this machine) WEB_TRIAL_SIGNIN=true; or remove the web: entries.`,
      );
    }
  }
  return {
    sessionSecret: e.WEB_SESSION_SECRET,
    secretDir: path.resolve(e.DATA_DIR),
    sessionDays: e.WEB_SESSION_DAYS,
    sso: e.WEB_SSO_HEADER ? { header: e.WEB_SSO_HEADER.toLowerCase(), proxies } : undefined,
    oidc:
      e.WEB_OIDC_ISSUER && e.WEB_OIDC_CLIENT_ID
        ? {
            issuer: e.WEB_OIDC_ISSUER,
            clientId: e.WEB_OIDC_CLIENT_ID,
            clientSecret: e.WEB_OIDC_CLIENT_SECRET,
            scopes: e.WEB_OIDC_SCOPES,
            idClaim: e.WEB_OIDC_ID_CLAIM,
          }
        : undefined,
    trialSignIn: e.WEB_TRIAL_SIGNIN,
    allowedHosts: list(e.ALLOWED_HOSTS).map((h) => h.toLowerCase()),
  };
}
