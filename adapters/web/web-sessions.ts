// Who is on the other end of a web request: a trusted single-sign-on header (from the configured proxies only), a
// signed session cookie (OpenID Connect, trial sign-in, or anonymous), or a fresh anonymous session. Never a body
// or query field.
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { WebConfig } from '../../src/config/web-config.ts';
import { anonymousWebIdPrefix } from '../../src/config/web-config.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { cookieHeader, cookieName, readCookie, signValue, verifyValue } from './signed-cookie.ts';

/** How the server learnt who someone is. Only `anonymous` carries no role. */
export type IdentitySource = 'anonymous' | 'sso' | 'oidc' | 'trial';

/** The person behind a web request. `id` is the web user id (`web:<id>` in role lists). */
export interface WebIdentity {
  id: string;
  via: IdentitySource;
  name?: string;
}

/** A signed-in web user id: letters, digits and . _ @ + - (an email fits); never the anonymous namespace. */
export const signedInIdPattern = /^[\w.@+-]{1,100}$/;

/** Where a sign-in may send the browser back to: a few local pages, anything else goes to the chat (no open redirect). */
export function safeNextPath(value: unknown): string {
  return typeof value === 'string' && /^\/(it(\/report)?|newsletter\/preview)?$/.test(value) ? value : '/';
}

/** The session cookie's name (with the `__Host-` prefix over HTTPS, see cookieName). */
export const sessionCookieName = 'itbuddy_session';

const signedInHours = 12;

/** Resolves and changes web identities. */
export interface WebSessions {
  /** The identity of `req`; issues an anonymous session cookie on `res` when there is none. */
  identify(req: Request, res: Response): WebIdentity;
  /** Starts a signed-in session (OpenID Connect or trial sign-in) on `res`. */
  signIn(res: Response, identity: Omit<WebIdentity, 'via'> & { via: 'oidc' | 'trial' }): void;
  /** Ends the session: the next request gets a fresh anonymous one. */
  signOut(res: Response): void;
  /** Signs a short-lived value for another cookie (the OpenID Connect transaction). */
  sign(purpose: string, payload: object, ttlSeconds: number): string;
  /** Verifies a value from `sign`. */
  verify(purpose: string, value: string | undefined): Record<string, unknown> | undefined;
  /** Whether cookies need the Secure attribute (PUBLIC_URL is https). */
  secure: boolean;
}

/** The TCP peer's address, with IPv4-mapped IPv6 written as plain IPv4. */
export function peerAddress(req: Request): string {
  return (req.socket.remoteAddress ?? '').toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/** Creates the session logic for `config`, signing with `secret`. */
export function createWebSessions(
  config: WebConfig,
  publicUrl: string,
  secret: string,
  logger: Logger,
): WebSessions {
  const secure = publicUrl.startsWith('https:');
  const proxies = new Set(config.sso?.proxies ?? []);
  const sessionCookie = cookieName(sessionCookieName, secure);

  function issue(res: Response, identity: WebIdentity, seconds: number): void {
    const value = signValue(secret, 'session', { ...identity, exp: Date.now() + seconds * 1000 });
    res.append('Set-Cookie', cookieHeader(sessionCookie, value, { maxAgeSeconds: seconds, secure }));
    res.locals.webIdentity = identity;
  }

  function fromSso(req: Request): WebIdentity | undefined {
    if (!config.sso) return undefined;
    const value = req.get(config.sso.header);
    if (value === undefined) return undefined;
    const peer = peerAddress(req);
    if (!proxies.has(peer)) {
      logger.warn(
        { peer, header: config.sso.header },
        'Ignored a sign-in header from an address that is not a configured proxy',
      );
      return undefined;
    }
    const id = value.trim();
    if (!signedInIdPattern.test(id)) {
      logger.warn(
        { peer },
        'Ignored a sign-in header whose user id is not usable (letters, digits, . _ @ + - only)',
      );
      return undefined;
    }
    return { id, via: 'sso' };
  }

  function fromCookie(req: Request): WebIdentity | undefined {
    const payload = verifyValue(secret, 'session', readCookie(req.get('cookie'), sessionCookie));
    if (!payload || typeof payload.id !== 'string') return undefined;
    const via = payload.via;
    if (via === 'anonymous') {
      return payload.id.startsWith(anonymousWebIdPrefix) ? { id: payload.id, via } : undefined;
    }
    if ((via === 'oidc' || via === 'trial') && signedInIdPattern.test(payload.id)) {
      // A trial identity outlives no switch: when trial sign-in is turned off, its sessions stop counting.
      if (via === 'trial' && !config.trialSignIn) return undefined;
      if (via === 'oidc' && !config.oidc) return undefined;
      return { id: payload.id, via, ...(typeof payload.name === 'string' ? { name: payload.name } : {}) };
    }
    return undefined;
  }

  return {
    secure,
    identify(req, res) {
      const known = res.locals.webIdentity as WebIdentity | undefined;
      if (known) return known;
      const identity = fromSso(req) ?? fromCookie(req);
      if (identity) {
        res.locals.webIdentity = identity;
        return identity;
      }
      const anonymous: WebIdentity = {
        id: `${anonymousWebIdPrefix}${randomBytes(16).toString('base64url')}`,
        via: 'anonymous',
      };
      issue(res, anonymous, config.sessionDays * 86_400);
      return anonymous;
    },
    signIn(res, identity) {
      issue(res, identity, signedInHours * 3600);
    },
    signOut(res) {
      res.append('Set-Cookie', cookieHeader(sessionCookie, '', { maxAgeSeconds: 0, secure }));
      res.locals.webIdentity = undefined;
    },
    sign: (purpose, payload, ttlSeconds) =>
      signValue(secret, purpose, { ...payload, exp: Date.now() + ttlSeconds * 1000 }),
    verify: (purpose, value) => verifyValue(secret, purpose, value),
  };
}
