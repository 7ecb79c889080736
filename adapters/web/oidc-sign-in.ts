// OpenID Connect sign-in for the web chat (openid-client): the authorization code flow with PKCE, state and nonce.
// GET /auth/login sends the browser to the provider; GET /auth/callback checks the answer and starts the session.
import express, { type Request, type Response, type Router } from 'express';
import * as oidc from 'openid-client';
import type { App } from '../../src/app.ts';
import type { WebConfig } from '../../src/config/web-config.ts';
import { isLoopbackHost } from '../../src/config/web-config.ts';
import { escapeHtml, page } from './html.ts';
import { cookieHeader, cookieName, readCookie } from './signed-cookie.ts';
import { safeNextPath, signedInIdPattern, type WebSessions } from './web-sessions.ts';

/** The cookie that carries the PKCE verifier, state and nonce between /auth/login and /auth/callback. */
export const oidcTransactionCookie = 'itbuddy_oidc';

const transactionSeconds = 600;

/** Mounts /auth/login and /auth/callback for the configured provider. */
export function oidcSignIn(
  app: App,
  settings: NonNullable<WebConfig['oidc']>,
  sessions: WebSessions,
): Router {
  const router = express.Router();
  const issuer = new URL(settings.issuer);
  let discovered: Promise<oidc.Configuration> | undefined;

  /** The provider's configuration, fetched once; a failure is retried on the next sign-in. */
  function provider(): Promise<oidc.Configuration> {
    discovered ??= oidc
      .discovery(
        issuer,
        settings.clientId,
        undefined,
        settings.clientSecret ? oidc.ClientSecretPost(settings.clientSecret) : oidc.None(),
        // Plain HTTP only for a provider on this machine (development and tests); anything else must be HTTPS.
        issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname)
          ? { execute: [oidc.allowInsecureRequests], timeout: 10 }
          : { timeout: 10 },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  }

  // Read at request time: tests learn the port only once the server listens.
  const redirectUri = () => `${app.config.http.publicUrl}/auth/callback`;

  function failed(res: Response, status: number, message: string): void {
    res
      .status(status)
      .type('html')
      .send(
        page(
          'Sign-in failed',
          `<h1>Sign-in did not work</h1><p>${escapeHtml(message)}</p><p><a href="/auth/login">Try again</a> · <a href="/">Back to IT Buddy</a></p>`,
        ),
      );
  }

  router.get('/auth/login', async (req: Request, res: Response) => {
    let config: oidc.Configuration;
    try {
      config = await provider();
    } catch (error) {
      app.logger.error({ err: error, issuer: issuer.href }, 'OpenID Connect discovery failed');
      failed(res, 502, 'The sign-in provider could not be reached. Please try again in a moment.');
      return;
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const next = safeNextPath(req.query.next);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(),
      scope: settings.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const transaction = sessions.sign('oidc', { v: verifier, s: state, n: nonce, next }, transactionSeconds);
    res.append(
      'Set-Cookie',
      cookieHeader(cookieName(oidcTransactionCookie, sessions.secure), transaction, {
        maxAgeSeconds: transactionSeconds,
        secure: sessions.secure,
      }),
    );
    res.set('Cache-Control', 'no-store').redirect(303, url.href);
  });

  router.get('/auth/callback', async (req: Request, res: Response) => {
    const transaction = sessions.verify(
      'oidc',
      readCookie(req.get('cookie'), cookieName(oidcTransactionCookie, sessions.secure)),
    );
    // The transaction is single-use whatever happens next.
    res.append(
      'Set-Cookie',
      cookieHeader(cookieName(oidcTransactionCookie, sessions.secure), '', {
        maxAgeSeconds: 0,
        secure: sessions.secure,
      }),
    );
    if (
      !transaction ||
      typeof transaction.v !== 'string' ||
      typeof transaction.s !== 'string' ||
      typeof transaction.n !== 'string'
    ) {
      failed(res, 400, 'The sign-in took too long or was started in another browser.');
      return;
    }
    let claims: Record<string, unknown> | undefined;
    try {
      const config = await provider();
      const query = new URL(req.originalUrl, 'http://callback.invalid').search;
      const tokens = await oidc.authorizationCodeGrant(config, new URL(`${redirectUri()}${query}`), {
        pkceCodeVerifier: transaction.v,
        expectedState: transaction.s,
        expectedNonce: transaction.n,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      claims = idToken;
      // Many providers put only `sub` in the ID token and the rest behind userinfo (checked against that `sub`).
      if (idToken && idToken[settings.idClaim] === undefined && tokens.access_token) {
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), ...idToken };
      }
    } catch (error) {
      app.logger.warn({ err: error }, 'OpenID Connect sign-in refused');
      failed(res, 400, 'The sign-in provider did not confirm who you are.');
      return;
    }
    const raw = claims?.[settings.idClaim];
    const id = typeof raw === 'string' ? raw.trim() : '';
    if (
      !claims ||
      !signedInIdPattern.test(id) ||
      // An email is an identity only when the provider vouches for it: some (Entra ID) send a user-editable,
      // unverified `email` without `email_verified`, so its absence counts as unverified.
      (settings.idClaim === 'email' && claims.email_verified !== true)
    ) {
      app.logger.warn({ claim: settings.idClaim }, 'OpenID Connect sign-in refused: no usable user id claim');
      failed(
        res,
        403,
        `Your account has no usable ${settings.idClaim} for IT Buddy. Ask IT to check the sign-in set-up.`,
      );
      return;
    }
    const name = typeof claims.name === 'string' ? claims.name.slice(0, 100) : undefined;
    sessions.signIn(res, { id, via: 'oidc', ...(name ? { name } : {}) });
    app.logger.info({ userKey: `web:${id}` }, 'Signed in with OpenID Connect');
    res.redirect(303, safeNextPath(transaction.next));
  });
  return router;
}
