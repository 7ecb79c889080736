// The environment variables IT Buddy reads: one zod schema, the single source of truth for names, types and defaults.
import { z } from 'zod';

// A variable set to nothing never reaches the schema: loadConfig treats `NAME=` as not set.
const optionalText = z.string().trim().optional();

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const url = z.url({ error: 'expected a URL such as https://example.com' });

/** Every variable, with its default. `.env.example` documents each one; a test keeps the two in step. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // HTTP server shared by the web chat, Slack (HTTP mode) and Teams.
  PORT: int(3978, 0, 65535),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_URL: url.optional(),

  // Knowledge base and answering.
  KB_DIR: z.string().trim().min(1).default('./kb'),
  KB_WATCH: bool(true),
  ANSWER_MIN_CONFIDENCE: z.coerce.number({ error: 'expected a number from 0 to 1' }).min(0).max(1).optional(),
  QUESTION_LOG_RETENTION_DAYS: int(180, 1, 3650),

  // Storage: MongoDB when MONGODB_URI is set, otherwise the embedded store in DATA_DIR.
  MONGODB_URI: z
    .string()
    .trim()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// URI')
    .optional(),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  // How the MongoDB engine makes conditional writes: auto (insert-only on FerretDB 1.x, single conditional writes
  // elsewhere), atomic (always single conditional writes, as on MongoDB) or insert-only.
  MONGODB_WRITE_MODE: z.enum(['auto', 'atomic', 'insert-only']).default('auto'),

  // How people reach IT when the bot cannot help.
  IT_HELP_EMAIL: optionalText,
  IT_HELP_PHONE: optionalText,
  IT_HELP_URL: url.optional(),

  // Roles: comma-separated platform:userId entries, e.g. "slack:U012AB3CD,teams:29:1a2b...,web:alice".
  IT_STAFF: optionalText,
  LIAISONS: optionalText,
  ADMINS: optionalText,

  // Intake: where new requests are posted for triage, and optional routing by kind or department.
  IT_DESTINATIONS: optionalText,
  IT_ROUTES: optionalText,

  // Slack.
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: url.optional(),

  // Microsoft Teams (Bot Framework).
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MICROSOFT_APP_TENANT_ID: optionalText,
  MICROSOFT_APP_CERT_THUMBPRINT: optionalText,
  MICROSOFT_APP_CERT_KEY_FILE: optionalText,

  // Weekly newsletter.
  NEWSLETTER_CRON: z.string().trim().min(1).default('0 9 * * 1'),
  NEWSLETTER_TIMEZONE: z.string().trim().min(1).default('UTC'),
  NEWSLETTER_DESTINATIONS: optionalText,
  NEWSLETTER_QUIET_WEEK: z.enum(['skip', 'short']).default('short'),
  NEWSLETTER_CATCHUP_HOURS: int(24, 0, 168),

  // OpenAI (optional: every feature works without it).
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: url.optional(),
  OPENAI_MODEL: z.string().trim().min(1).default('gpt-5-mini'),
  OPENAI_EMBEDDING_MODEL: optionalText,
  OPENAI_TIMEOUT_MS: int(8000, 500, 120_000),
  OPENAI_MONTHLY_TOKEN_BUDGET: int(2_000_000, 0, 2_000_000_000),
});

export type Env = z.infer<typeof envSchema>;

/** The names of every variable IT Buddy reads. */
export const knownVariables = Object.keys(envSchema.shape) as (keyof Env)[];
