// `npm run teams:package`: the upload-ready Teams app package (dist/teams/itbuddy-teams.zip): the manifest with
// the bot's app id, the public host and the privacy and terms links filled in, and both icons. The values come
// from the same configuration the server reads (MICROSOFT_APP_ID, PUBLIC_URL, TEAMS_PRIVACY_URL, TEAMS_TERMS_URL);
// no secret is needed, since building a package signs nothing in.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load-config.ts';
import { CodedError, ConfigError } from '../../../src/errors.ts';
import { personalCommands, teamsCommands } from '../teams-commands.ts';
import { createZip } from './zip.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the manifest template and icons live. */
export const manifestDir = path.join(root, 'manifests/teams');

/** The bot part of the manifest, as far as the package checks it. */
export interface TeamsManifest {
  id: string;
  version: string;
  validDomains: string[];
  developer: { websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  bots: {
    botId: string;
    scopes: string[];
    commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[];
  }[];
  [key: string]: unknown;
}

export interface PackageOptions {
  /** The Azure bot's app (client) id, a GUID. */
  appId: string | undefined;
  /** The public https address of IT Buddy. */
  publicUrl: string;
  /** The organisation's privacy notice and terms of use (https); default: the public address. */
  privacyUrl?: string | undefined;
  termsUrl?: string | undefined;
  /** The app version (semver); Teams wants it raised on every update. */
  version: string;
  /** Where to write the zip. */
  outFile: string;
  sourceDir?: string;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fills the manifest template; throws a ConfigError naming the variable when a value cannot be used. */
export function fillManifest(
  template: string,
  options: Pick<PackageOptions, 'appId' | 'publicUrl' | 'version' | 'privacyUrl' | 'termsUrl'>,
): TeamsManifest {
  if (!options.appId || !guid.test(options.appId)) {
    throw new ConfigError(
      "MICROSOFT_APP_ID: expected the Azure bot's app (client) id, a GUID like 00000000-0000-0000-0000-000000000000 (see docs/teams.md).",
    );
  }
  let url: URL;
  try {
    url = new URL(options.publicUrl);
  } catch {
    throw new ConfigError(
      'PUBLIC_URL: expected the public https address of IT Buddy, e.g. https://itbuddy.example.com.',
    );
  }
  if (url.protocol !== 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new ConfigError(
      `PUBLIC_URL: Teams needs IT Buddy's public https address (got ${url.origin}). Set PUBLIC_URL to the address Teams reaches, e.g. https://itbuddy.example.com.`,
    );
  }
  const publicUrl = url.origin + url.pathname.replace(/\/+$/, '');
  const values: Record<string, string> = {
    MICROSOFT_APP_ID: options.appId.toLowerCase(),
    PUBLIC_URL: publicUrl,
    PUBLIC_HOST: url.host,
    PRIVACY_URL: httpsLink('TEAMS_PRIVACY_URL', options.privacyUrl) ?? publicUrl,
    TERMS_URL: httpsLink('TEAMS_TERMS_URL', options.termsUrl) ?? publicUrl,
  };
  const filled = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`manifest.json: unknown placeholder ${whole}`);
    return JSON.stringify(value).slice(1, -1);
  });
  const manifest = JSON.parse(filled) as TeamsManifest;
  manifest.version = options.version;
  checkCommands(manifest);
  return manifest;
}

/** Teams accepts only https links in the manifest; throws a ConfigError naming the variable otherwise. */
function httpsLink(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https:\/\/[^\s]+$/i.test(value)) {
    throw new ConfigError(`${variable}: Teams needs an https address (got ${value}).`);
  }
  return value;
}

/** The manifest must suggest exactly the commands the adapter knows (and, in personal chats, the prompt starters). */
function checkCommands(manifest: TeamsManifest): void {
  const listed = (commands: typeof teamsCommands) =>
    JSON.stringify(commands.map((c) => ({ title: c.title, description: c.description })));
  for (const list of manifest.bots[0]?.commandLists ?? []) {
    const expected = listed(list.scopes.includes('personal') ? personalCommands : teamsCommands);
    if (JSON.stringify(list.commands) !== expected) {
      throw new Error(
        `manifest.json: the ${list.scopes.join('/')} command list differs from teams-commands.ts`,
      );
    }
  }
}

/** Writes the package; returns the file and the filled manifest. */
export function buildTeamsPackage(options: PackageOptions): { file: string; manifest: TeamsManifest } {
  const dir = options.sourceDir ?? manifestDir;
  const manifest = fillManifest(readFileSync(path.join(dir, 'manifest.json'), 'utf8'), options);
  const zip = createZip([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') },
    { name: 'color.png', data: readFileSync(path.join(dir, 'color.png')) },
    { name: 'outline.png', data: readFileSync(path.join(dir, 'outline.png')) },
  ]);
  mkdirSync(path.dirname(options.outFile), { recursive: true });
  writeFileSync(options.outFile, zip);
  return { file: options.outFile, manifest };
}

if (import.meta.main) {
  try {
    // The package needs the app id and the public address, never the app's secret or tenant.
    const config = loadConfig(process.env, { requireCredentials: false });
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    // Without their own setting, the links go to the IT portal when it is https, else to IT Buddy itself.
    const portal = config.itHelp.url?.startsWith('https:') ? config.itHelp.url : undefined;
    const privacyUrl = config.teams.privacyUrl ?? portal;
    const termsUrl = config.teams.termsUrl ?? portal;
    const { file } = buildTeamsPackage({
      appId: config.teams.appId,
      publicUrl: config.http.publicUrl,
      privacyUrl,
      termsUrl,
      version: pkg.version,
      outFile: path.resolve('dist/teams/itbuddy-teams.zip'),
    });
    process.stdout.write(
      `Teams app package written to ${path.relative(process.cwd(), file)}.\nUpload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams admin center.\n`,
    );
    if (!privacyUrl || !termsUrl) {
      process.stdout.write(
        "Note: the privacy and terms links point at IT Buddy itself; set TEAMS_PRIVACY_URL and TEAMS_TERMS_URL to your organisation's pages.\n",
      );
    }
  } catch (error) {
    process.stderr.write(
      `Could not build the Teams package: ${error instanceof CodedError ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
