// Builds a Config for tests from the real loader, so tests exercise the same validation as production.
import { type Config, loadConfig } from '../../src/config/load-config.ts';

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

/** A Config from the test defaults plus `overrides`, read without any `.env` file or the process environment. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...testEnvDefaults, ...overrides }, { envFile: false });
}
