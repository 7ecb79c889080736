// Builds a Config for tests from the real loader, so tests exercise the same validation as production.
import { type Config, loadConfig } from '../../src/config/load-config.ts';

/** Variables every test starts from: quiet logs, no file watching, loopback only, port chosen by the OS. */
export const testEnvDefaults: Readonly<Record<string, string>> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  PORT: '0',
  HOST: '127.0.0.1',
  KB_WATCH: 'false',
};

/** A Config from the test defaults plus `overrides`, read without any `.env` file or the process environment. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...testEnvDefaults, ...overrides }, { envFile: false });
}
