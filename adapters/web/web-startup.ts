// What start-up says about the web chat's exposure: a non-loopback HOST, and the trial sign-in when it is on.
import type { Config } from '../../src/config/load-config.ts';
import { isLoopbackHost } from '../../src/config/web-config.ts';

/** Warnings to log at start-up, each saying what to do. */
export function webStartupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const web = config.web;
  if (!isLoopbackHost(config.http.host)) {
    const signIn = web.sso ? 'single sign-on' : web.oidc ? 'OpenID Connect' : undefined;
    warnings.push(
      `HOST is ${config.http.host}: the web chat is reachable from other machines${
        signIn
          ? ` (people sign in with ${signIn}; the others chat anonymously)`
          : ', where everyone chats anonymously'
      }. Requests must name ${new URL(config.http.publicUrl).host} (PUBLIC_URL) or an ALLOWED_HOSTS entry. Use HOST=127.0.0.1 behind a reverse proxy.`,
    );
  }
  if (web.trialSignIn) {
    warnings.push(
      `Web trial sign-in is on: anyone on this machine may pick any web identity at ${config.http.publicUrl}/auth/trial, roles included. For trying IT Buddy only; turn WEB_TRIAL_SIGNIN off for real use.`,
    );
  }
  return warnings;
}
