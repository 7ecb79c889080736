// Configuration: defaults, errors that name the variable, "did you mean" warnings, and .env.example kept in step.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { knownVariables } from '../../src/config/env-schema.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/errors.ts';

/** Loads configuration from exactly these variables: no .env file, no process environment. */
const load = (env: Record<string, string> = {}) => loadConfig(env, { envFile: false });

/** The ConfigError thrown for `env`, or a failure when none is thrown. */
function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('config_invalid');
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('defaults', () => {
  it('with nothing set, IT Buddy runs the web channel on the embedded store at port 3978', () => {
    const config = load();
    expect(config.env).toBe('development');
    expect(config.logLevel).toBe('info');
    expect(config.http).toEqual({ port: 3978, host: '127.0.0.1', publicUrl: 'http://localhost:3978' });
    expect(config.kb).toEqual({ dir: path.resolve('kb'), watch: true, minConfidence: undefined });
    expect(config.store).toEqual({ kind: 'embedded', dataDir: path.resolve('data') });
    expect(config.questionLogRetentionDays).toBe(180);
    expect(config.slack).toEqual({ enabled: false });
    expect(config.openai).toEqual({ enabled: false });
    expect(config.teams.appType).toBe('SingleTenant');
    expect(config.teams.appId).toBeUndefined();
    expect(config.newsletter).toEqual({
      cron: '0 9 * * 1',
      timezone: 'UTC',
      destinations: undefined,
      quietWeek: 'short',
      catchUpHours: 24,
    });
    expect(config.roles).toEqual({ itStaff: [], liaisons: [], admins: [] });
    expect(config.warnings).toEqual([]);
  });

  it('the public URL follows PORT, and a trailing slash on PUBLIC_URL is dropped', () => {
    expect(load({ PORT: '8080' }).http.publicUrl).toBe('http://localhost:8080');
    expect(load({ PUBLIC_URL: 'https://itbuddy.example.com/' }).http.publicUrl).toBe(
      'https://itbuddy.example.com',
    );
  });

  it('MONGODB_URI switches the store to MongoDB', () => {
    expect(load({ MONGODB_URI: 'mongodb://db.example:27017/itbuddy' }).store).toEqual({
      kind: 'mongo',
      uri: 'mongodb://db.example:27017/itbuddy',
      writeMode: 'auto',
    });
  });

  it('MONGODB_WRITE_MODE forces how the MongoDB engine makes conditional writes', () => {
    const store = load({ MONGODB_URI: 'mongodb://db.example/itbuddy', MONGODB_WRITE_MODE: 'atomic' }).store;
    expect(store).toMatchObject({ kind: 'mongo', writeMode: 'atomic' });
    expect(() => load({ MONGODB_WRITE_MODE: 'fast' })).toThrow(/MONGODB_WRITE_MODE/);
  });

  it('a variable set to nothing is not set: no 0 for a number, no error for a URL, no override of .env', async () => {
    const config = load({ ANSWER_MIN_CONFIDENCE: '', PUBLIC_URL: ' ', PORT: '', SLACK_API_URL: '' });
    expect(config.kb.minConfidence).toBeUndefined();
    expect(config.http.publicUrl).toBe('http://localhost:3978');
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-env-'));
    try {
      const file = path.join(dir, '.env');
      await writeFile(file, 'PORT=4000\n');
      expect(loadConfig({ PORT: '' }, { envFile: file }).http.port).toBe(4000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('booleans accept the usual spellings', () => {
    expect(load({ KB_WATCH: 'off' }).kb.watch).toBe(false);
    expect(load({ KB_WATCH: 'no' }).kb.watch).toBe(false);
    expect(load({ KB_WATCH: '1' }).kb.watch).toBe(true);
  });

  it('role lists become platform-qualified user ids', () => {
    const sso = { WEB_SSO_HEADER: 'X-Forwarded-User', WEB_SSO_PROXIES: '127.0.0.1' };
    const objectId = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
    expect(load({ ADMINS: `web:alice, slack:U012AB3CD,teams:${objectId}`, ...sso }).roles.admins).toEqual([
      { platform: 'web', userId: 'alice' },
      { platform: 'slack', userId: 'U012AB3CD' },
      { platform: 'teams', userId: objectId },
    ]);
  });

  it('Teams users pasted as a bare object id, in upper case, in braces or as 8:orgid: are the same person', () => {
    const objectId = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
    const forms = [objectId, objectId.toUpperCase(), `teams:{${objectId}}`, `teams:8:orgid:${objectId}`];
    expect(load({ LIAISONS: forms.join(',') }).roles.liaisons).toEqual(
      forms.map(() => ({ platform: 'teams', userId: objectId })),
    );
  });

  it('refuses a Teams conversation id or an email address, saying to use the Entra object id', () => {
    const conversation = configError({ LIAISONS: 'teams:29:1a2bXyZ' }).message;
    expect(conversation).toMatch(/^LIAISONS: "teams:29:1a2bXyZ" is a Teams conversation id, not a person/);
    expect(conversation).toContain('Entra admin center → Users → the person → Object ID');
    expect(conversation).toContain('teams:<Entra object id>');
    expect(configError({ ADMINS: 'teams:alice@contoso.com' }).message).toMatch(
      /not a Teams user id.*Object ID/,
    );
  });
});

describe('errors name the variable and say what is expected', () => {
  it.each(['abc', '70000', '-1', '80.5'])('PORT=%s', (value) => {
    const error = configError({ PORT: value });
    expect(error.message).toMatch(/^PORT: expected a whole number from 0 to 65535/);
    expect(error.message).toContain(`got "${value}"`);
  });

  it('a bad boolean names KB_WATCH', () => {
    expect(configError({ KB_WATCH: 'maybe' }).message).toMatch(/^KB_WATCH: expected true or false/);
  });

  it('a bad URL names PUBLIC_URL', () => {
    expect(configError({ PUBLIC_URL: 'itbuddy' }).message).toMatch(/^PUBLIC_URL: expected a URL/);
  });

  it('a bad role entry names the list and the entry', () => {
    expect(configError({ IT_STAFF: 'slack:U1,alice' }).message).toMatch(/^IT_STAFF: .*\(got "alice"\)/);
  });

  it('SLACK_BOT_TOKEN without a signing secret or app token names SLACK_SIGNING_SECRET', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' });
    expect(error.message).toMatch(/^SLACK_SIGNING_SECRET: /);
    expect(error.message).toContain('SLACK_APP_TOKEN');
  });

  it('Slack is on with a bot token and either a signing secret (HTTP) or an app token (Socket Mode)', () => {
    expect(load({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh' }).slack).toMatchObject({
      enabled: true,
      signingSecret: 'shh',
      appToken: undefined,
    });
    expect(load({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack).toMatchObject({
      enabled: true,
      appToken: 'xapp-1',
    });
  });

  it('a secret is never echoed back in the error', () => {
    const error = configError({ MONGODB_URI: 'postgres://admin:hunter2@db.example/x' });
    expect(error.message).toMatch(/^MONGODB_URI: /);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('"did you mean" warnings', () => {
  it('a mistyped variable gets the closest known name', () => {
    const config = load({ SLACK_SIGNING_SECRT: 'shh' });
    expect(config.warnings).toEqual([
      'SLACK_SIGNING_SECRT is not a setting IT Buddy knows: did you mean SLACK_SIGNING_SECRET?',
    ]);
  });

  it('variables of other programs are left alone', () => {
    expect(load({ PATH: '/usr/bin', HOME: '/home/x', npm_config_cache: '/tmp' }).warnings).toEqual([]);
  });
});

describe('.env files', () => {
  it('values come from the file, and the environment wins over the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-env-'));
    try {
      const file = path.join(dir, '.env');
      await writeFile(file, 'PORT=4000\nLOG_LEVEL=debug\n');
      const config = loadConfig({ LOG_LEVEL: 'warn' }, { envFile: file });
      expect(config.http.port).toBe(4000);
      expect(config.logLevel).toBe('warn');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('.env.example documents every variable', () => {
  const assignment = /^#?\s?([A-Z][A-Z0-9_]*)=(.*)$/;

  async function exampleLines(): Promise<string[]> {
    return (await readFile(path.resolve('.env.example'), 'utf8')).split('\n');
  }

  it('every variable in the schema appears in .env.example, and nothing else does', async () => {
    const documented = (await exampleLines())
      .map((l) => assignment.exec(l)?.[1])
      .filter((n) => n !== undefined);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...knownVariables].sort());
  });

  it('every variable has a comment line just above it', async () => {
    const lines = await exampleLines();
    lines.forEach((line, i) => {
      if (!assignment.test(line)) return;
      const above = lines[i - 1] ?? '';
      expect(above.startsWith('# ') && !assignment.test(above), `no comment above ${line}`).toBe(true);
    });
  });

  it('nothing is switched on by copying the file as it is', async () => {
    const active = (await exampleLines()).filter((l) => /^[A-Z]/.test(l) && !/^[A-Z][A-Z0-9_]*=$/.test(l));
    expect(active).toEqual([]);
  });

  it('the values shown are the defaults: uncommenting them changes nothing', async () => {
    const uncommented = (await exampleLines())
      .map((l) => assignment.exec(l))
      .filter((m) => m !== null && m[2] !== '')
      .map((m) => `${m![1]}=${m![2]}`)
      .join('\n');
    const shown = parseEnv(uncommented) as Record<string, string>;
    expect(Object.keys(shown).length).toBeGreaterThan(10);
    expect(load(shown)).toEqual(load());
  });
});
