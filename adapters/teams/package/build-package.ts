// `npm run teams:package`: the upload-ready Teams app package (dist/teams/itbuddy-teams.zip): the manifest with
// the bot's app id and the public host filled in, and both icons. The app id and host come from the same
// configuration the server reads (MICROSOFT_APP_ID, PUBLIC_URL).
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
  options: Pick<PackageOptions, 'appId' | 'publicUrl' | 'version'>,
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
  const values: Record<string, string> = {
    MICROSOFT_APP_ID: options.appId.toLowerCase(),
    PUBLIC_URL: url.origin + url.pathname.replace(/\/+$/, ''),
    PUBLIC_HOST: url.host,
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
    const config = loadConfig();
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const { file } = buildTeamsPackage({
      appId: config.teams.appId,
      publicUrl: config.http.publicUrl,
      version: pkg.version,
      outFile: path.resolve('dist/teams/itbuddy-teams.zip'),
    });
    process.stdout.write(
      `Teams app package written to ${path.relative(process.cwd(), file)}.\nUpload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams admin center.\n`,
    );
  } catch (error) {
    process.stderr.write(
      `Could not build the Teams package: ${error instanceof CodedError ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
