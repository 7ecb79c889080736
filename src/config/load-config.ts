// Reads the configuration once, validates it, and turns it into the typed object the rest of the code receives.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from '../errors.ts';
import { closestName } from './closest-name.ts';
import { type Env, envSchema, knownVariables } from './env-schema.ts';
import { parseRoleList, type RoleEntry } from './role-list.ts';
import { parseWebConfig, type WebConfig } from './web-config.ts';

export type Platform = 'web' | 'slack' | 'teams' | 'cli';

/** The typed configuration passed down from start-up; nothing else reads `process.env`. */
export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  http: { port: number; host: string; publicUrl: string };
  /** The web chat's sessions, sign-in methods and allowed Host names. */
  web: WebConfig;
  kb: { dir: string; watch: boolean; minConfidence: number | undefined };
  questionLogRetentionDays: number;
  store:
    | { kind: 'mongo'; uri: string; writeMode?: 'auto' | 'atomic' | 'insert-only' }
    | { kind: 'embedded'; dataDir: string };
  itHelp: { email: string | undefined; phone: string | undefined; url: string | undefined };
  roles: { itStaff: RoleEntry[]; liaisons: RoleEntry[]; admins: RoleEntry[] };
  intake: { destinations: string | undefined; routes: string | undefined; timeZone: string };
  slack:
    | { enabled: false }
    | {
        enabled: true;
        botToken: string;
        signingSecret: string | undefined;
        appToken: string | undefined;
        apiUrl: string | undefined;
      };
  teams: {
    appId: string | undefined;
    appPassword: string | undefined;
    appType: Env['MICROSOFT_APP_TYPE'];
    tenantId: string | undefined;
    certThumbprint: string | undefined;
    certKeyFile: string | undefined;
    /** Privacy and terms links of the Teams app package. */
    privacyUrl: string | undefined;
    termsUrl: string | undefined;
  };
  newsletter: {
    cron: string;
    timezone: string;
    destinations: string | undefined;
    quietWeek: Env['NEWSLETTER_QUIET_WEEK'];
    catchUpHours: number;
  };
  openai:
    | { enabled: false }
    | {
        enabled: true;
        apiKey: string;
        baseUrl: string | undefined;
        model: string;
        embeddingModel: string | undefined;
        timeoutMs: number;
        monthlyTokenBudget: number;
      };
  /** Model prices in US dollars per million tokens, for the report's estimated cost. */
  modelPrices: { inputPerMillion: number; outputPerMillion: number; embeddingPerMillion: number };
  /** Variables that look like ours but are not, each with the closest known name. */
  warnings: string[];
}

/** `NAME=` with nothing after it (as .env.example invites) means "not set": never 0, never an invalid URL. */
function withoutBlanks(vars: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).filter((entry): entry is [string, string] => (entry[1] ?? '').trim() !== ''),
  );
}

/**
 * Reads `.env` (when present, without overriding real environment variables) and the environment,
 * validates both, and returns the typed configuration. Throws a ConfigError naming the first bad variable.
 */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  options: {
    envFile?: string | false;
    /** False for tools that never sign in (the Teams package needs the app id, not its secret). */
    requireCredentials?: boolean;
  } = {},
): Config {
  const merged: Record<string, string | undefined> = {
    ...withoutBlanks(readEnvFile(options.envFile)),
    ...withoutBlanks(source),
  };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const got = merged[name];
    const shown = got === undefined ? 'it is missing' : `got "${redactIfSecret(name, got)}"`;
    throw new ConfigError(
      `${name}: ${issue?.message ?? 'invalid value'} (${shown}). Fix it in .env or the environment.`,
    );
  }
  return toConfig(parsed.data, unknownVariableWarnings(merged), options.requireCredentials ?? true);
}

function readEnvFile(file: string | false | undefined): Record<string, string> {
  if (file === false) return {};
  const envPath = path.resolve(file ?? '.env');
  if (!existsSync(envPath)) return {};
  return parseEnv(readFileSync(envPath, 'utf8')) as Record<string, string>;
}

function redactIfSecret(name: string, value: string): string {
  return /TOKEN|SECRET|PASSWORD|KEY|URI/.test(name) ? '***' : value.slice(0, 60);
}

const ourPrefixes =
  /^(SLACK_|MICROSOFT_|OPENAI_|NEWSLETTER_|KB_|IT_|MONGODB|ANSWER_|QUESTION_|DATA_DIR|LIAISON|ADMIN|WEB_|ALLOWED_)/;

function unknownVariableWarnings(vars: Record<string, string | undefined>): string[] {
  const known = new Set<string>(knownVariables);
  return Object.keys(vars)
    .filter((name) => ourPrefixes.test(name) && !known.has(name))
    .map((name) => {
      const guess = closestName(name, knownVariables);
      return guess
        ? `${name} is not a setting IT Buddy knows: did you mean ${guess}?`
        : `${name} is not a setting IT Buddy knows.`;
    });
}

function toConfig(e: Env, warnings: string[], requireCredentials: boolean): Config {
  if (e.SLACK_SIGNING_SECRET && !e.SLACK_BOT_TOKEN) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN: expected a bot token (xoxb-...) because SLACK_SIGNING_SECRET is set.',
    );
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET: required for Slack HTTP mode (or set SLACK_APP_TOKEN for Socket Mode). Find it under Basic Information in your Slack app.',
    );
  }
  if (e.SLACK_APP_TOKEN && !e.SLACK_APP_TOKEN.startsWith('xapp-')) {
    throw new ConfigError(
      'SLACK_APP_TOKEN: expected an app-level token starting with xapp- (for Socket Mode).',
    );
  }
  if (
    requireCredentials &&
    e.MICROSOFT_APP_ID &&
    !e.MICROSOFT_APP_PASSWORD &&
    !e.MICROSOFT_APP_CERT_THUMBPRINT &&
    e.MICROSOFT_APP_TYPE !== 'UserAssignedMSI'
  ) {
    throw new ConfigError(
      'MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID (or set MICROSOFT_APP_CERT_THUMBPRINT and MICROSOFT_APP_CERT_KEY_FILE).',
    );
  }
  if (
    requireCredentials &&
    e.MICROSOFT_APP_TYPE === 'SingleTenant' &&
    e.MICROSOFT_APP_ID &&
    !e.MICROSOFT_APP_TENANT_ID
  ) {
    throw new ConfigError(
      'MICROSOFT_APP_TENANT_ID: required for a single-tenant bot (the default MICROSOFT_APP_TYPE). Find it as "Directory (tenant) ID" on the app registration, or set MICROSOFT_APP_TYPE=MultiTenant for an existing multi-tenant bot.',
    );
  }
  const roles = {
    itStaff: parseRoleList('IT_STAFF', e.IT_STAFF),
    liaisons: parseRoleList('LIAISONS', e.LIAISONS),
    admins: parseRoleList('ADMINS', e.ADMINS),
  };
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const web = parseWebConfig(
    e,
    { IT_STAFF: roles.itStaff, LIAISONS: roles.liaisons, ADMINS: roles.admins },
    publicUrl,
  );
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl,
    },
    web,
    kb: { dir: path.resolve(e.KB_DIR), watch: e.KB_WATCH, minConfidence: e.ANSWER_MIN_CONFIDENCE },
    questionLogRetentionDays: e.QUESTION_LOG_RETENTION_DAYS,
    store: e.MONGODB_URI
      ? { kind: 'mongo', uri: e.MONGODB_URI, writeMode: e.MONGODB_WRITE_MODE }
      : { kind: 'embedded', dataDir: path.resolve(e.DATA_DIR) },
    itHelp: { email: e.IT_HELP_EMAIL, phone: e.IT_HELP_PHONE, url: e.IT_HELP_URL },
    roles,
    intake: { destinations: e.IT_DESTINATIONS, routes: e.IT_ROUTES, timeZone: e.INTAKE_TIMEZONE },
    slack: e.SLACK_BOT_TOKEN
      ? {
          enabled: true,
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
        }
      : { enabled: false },
    teams: {
      appId: e.MICROSOFT_APP_ID,
      appPassword: e.MICROSOFT_APP_PASSWORD,
      appType: e.MICROSOFT_APP_TYPE,
      tenantId: e.MICROSOFT_APP_TENANT_ID,
      certThumbprint: e.MICROSOFT_APP_CERT_THUMBPRINT,
      certKeyFile: e.MICROSOFT_APP_CERT_KEY_FILE,
      privacyUrl: e.TEAMS_PRIVACY_URL,
      termsUrl: e.TEAMS_TERMS_URL,
    },
    newsletter: {
      cron: e.NEWSLETTER_CRON,
      timezone: e.NEWSLETTER_TIMEZONE,
      destinations: e.NEWSLETTER_DESTINATIONS,
      quietWeek: e.NEWSLETTER_QUIET_WEEK,
      catchUpHours: e.NEWSLETTER_CATCHUP_HOURS,
    },
    openai: e.OPENAI_API_KEY
      ? {
          enabled: true,
          apiKey: e.OPENAI_API_KEY,
          baseUrl: e.OPENAI_BASE_URL,
          model: e.OPENAI_MODEL,
          embeddingModel: e.OPENAI_EMBEDDING_MODEL,
          timeoutMs: e.OPENAI_TIMEOUT_MS,
          monthlyTokenBudget: e.OPENAI_MONTHLY_TOKEN_BUDGET,
        }
      : { enabled: false },
    modelPrices: {
      inputPerMillion: e.OPENAI_INPUT_PRICE_PER_MILLION,
      outputPerMillion: e.OPENAI_OUTPUT_PRICE_PER_MILLION,
      embeddingPerMillion: e.OPENAI_EMBEDDING_PRICE_PER_MILLION,
    },
    warnings,
  };
}
