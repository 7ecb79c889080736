// The environment variables IT Buddy reads: one zod schema, the single source of truth for names, types and defaults.
import { z } from 'zod';

/** True for a time zone the runtime knows (IANA names such as Europe/London). */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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

const price = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a price in US dollars, e.g. 0.25' })
    .min(0, 'expected a price of 0 or more')
    .max(10_000)
    .default(fallback);

/** Every variable, with its default. `.env.example` documents each one; a test keeps the two in step. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // HTTP server shared by the web chat, Slack (HTTP mode) and Teams.
  PORT: int(3978, 0, 65535),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PUBLIC_URL: url.optional(),
  // Extra Host names the server answers to, besides PUBLIC_URL's and the loopback names.
  ALLOWED_HOSTS: optionalText,

  // Who is who on the web chat: a signed session cookie, anonymous unless a sign-in method names the person.
  WEB_SESSION_SECRET: z.string().trim().min(32, 'expected at least 32 characters').optional(),
  WEB_SESSION_DAYS: int(30, 1, 400),
  WEB_SSO_HEADER: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,100}$/, 'expected a header name such as X-Forwarded-User')
    .optional(),
  WEB_SSO_PROXIES: optionalText,
  WEB_OIDC_ISSUER: url.optional(),
  WEB_OIDC_CLIENT_ID: optionalText,
  WEB_OIDC_CLIENT_SECRET: optionalText,
  WEB_OIDC_SCOPES: z.string().trim().min(1).default('openid email profile'),
  WEB_OIDC_ID_CLAIM: z.string().trim().min(1).default('email'),
  WEB_TRIAL_SIGNIN: bool(false),

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

  // Roles: comma-separated platform:userId entries, e.g. "slack:U012AB3CD,teams:<Entra object id>,web:alice".
  IT_STAFF: optionalText,
  LIAISONS: optionalText,
  ADMINS: optionalText,

  // Intake: where new requests are posted for triage, and optional routing by kind or department.
  IT_DESTINATIONS: optionalText,
  IT_ROUTES: optionalText,
  // The time zone dates in words ("by Friday", "from the 12th") are read in when a request is taken down.
  INTAKE_TIMEZONE: z
    .string()
    .trim()
    .min(1)
    .refine(isTimeZone, 'expected an IANA time zone such as Europe/London')
    .default('UTC'),

  // Slack.
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: url.optional(),

  // Microsoft Teams (Bot Framework).
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  // Single tenant by default: Microsoft no longer creates multi-tenant bots, and docs/teams.md recommends it.
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('SingleTenant'),
  MICROSOFT_APP_TENANT_ID: optionalText,
  MICROSOFT_APP_CERT_THUMBPRINT: optionalText,
  MICROSOFT_APP_CERT_KEY_FILE: optionalText,
  // Links in the Teams app package (npm run teams:package); default: IT_HELP_URL, else PUBLIC_URL.
  TEAMS_PRIVACY_URL: url.optional(),
  TEAMS_TERMS_URL: url.optional(),

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
  // Prices in US dollars per million tokens, for the estimated cost in the report (defaults: gpt-5-mini and
  // text-embedding-3-small list prices).
  OPENAI_INPUT_PRICE_PER_MILLION: price(0.25),
  OPENAI_OUTPUT_PRICE_PER_MILLION: price(2),
  OPENAI_EMBEDDING_PRICE_PER_MILLION: price(0.02),
});

export type Env = z.infer<typeof envSchema>;

/** The names of every variable IT Buddy reads. */
export const knownVariables = Object.keys(envSchema.shape) as (keyof Env)[];
