// Builds a Config for tests from the real loader, so tests exercise the same validation as production.
import { type Config, loadConfig } from '../../src/config/load-config.ts';
import { isLoopbackHost } from '../../src/config/web-config.ts';

/**
 * Variables every test starts from: quiet logs, no file watching, loopback only, port chosen by the OS, and the
 * trial sign-in, so tests act as named web users (IT staff, admins) the way a person trying IT Buddy would.
 */
export const testEnvDefaults: Readonly<Record<string, string>> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PORT: '0',
  HOST: '127.0.0.1',
  KB_WATCH: 'false',
  WEB_TRIAL_SIGNIN: 'true',
};

/** True when the settings keep the server on this machine, where the trial sign-in is allowed. */
function onThisMachine(vars: Record<string, string>): boolean {
  const publicHost = vars.PUBLIC_URL ? URL.parse(vars.PUBLIC_URL)?.hostname : 'localhost';
  return (
    vars.NODE_ENV !== 'production' && isLoopbackHost(vars.HOST ?? '') && isLoopbackHost(publicHost ?? '')
  );
}

/**
 * A Config from the test defaults plus `overrides`, read without any `.env` file or the process environment.
 * Tests of production, another HOST or a public PUBLIC_URL start without the default trial sign-in (which those
 * settings refuse) unless they set WEB_TRIAL_SIGNIN themselves.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const vars: Record<string, string> = { ...testEnvDefaults, ...overrides };
  if (overrides.WEB_TRIAL_SIGNIN === undefined && !onThisMachine(vars)) delete vars.WEB_TRIAL_SIGNIN;
  return loadConfig(vars, { envFile: false });
}
