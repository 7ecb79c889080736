// The Teams app package: `npm run teams:package` writes an upload-ready zip whose manifest carries the app id
// the server authenticates with, the host from PUBLIC_URL and the commands the adapter knows, plus both icons.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32, inflateRawSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTeamsPackage, type TeamsManifest } from '../../adapters/teams/package/build-package.ts';
import {
  isTeamsCommand,
  personalCommands,
  promptStarters,
  teamsCommands,
} from '../../adapters/teams/teams-commands.ts';
import { ConfigError } from '../../src/errors.ts';
import { defaultPrompts } from '../../src/messages/suggested-prompts.ts';
import { testConfig } from '../helpers/test-config.ts';

const appId = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/** Reads a zip (stored or deflated entries) by its central directory, checking each entry's CRC. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataStart, dataStart + size);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (crc32(data) !== crc) throw new Error(`CRC mismatch in ${name}`);
    files.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

describe('npm run teams:package', () => {
  let dir: string;
  let files: Map<string, Buffer>;
  let manifest: TeamsManifest;
  // The server's configuration, for comparison: the package must carry the app id it authenticates with.
  const config = testConfig({
    MICROSOFT_APP_ID: appId,
    MICROSOFT_APP_PASSWORD: 'not-a-real-secret',
    MICROSOFT_APP_TENANT_ID: '11111111-2222-3333-4444-555555555555',
    PUBLIC_URL: 'https://itbuddy.northwind.example',
  });
  let output: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-teams-pkg-'));
    const script = path.resolve('adapters/teams/package/build-package.ts');
    // As documented: the app id and the public address alone, no secret and no tenant.
    const run = await promisify(execFile)(process.execPath, [script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        MICROSOFT_APP_ID: appId,
        PUBLIC_URL: 'https://itbuddy.northwind.example',
      },
    });
    output = run.stdout;
    files = unzip(await readFile(path.join(dir, 'dist/teams/itbuddy-teams.zip')));
    manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as TeamsManifest;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is the npm script', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['teams:package']).toBe('node adapters/teams/package/build-package.ts');
    expect(pkg.scripts['preteams:package']).toBe('node bin/check-node.js');
  });

  it('holds exactly the manifest and both icons, at the root', () => {
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('carries the app id the server authenticates with, as app id and bot id, and the public host', () => {
    expect(manifest.id).toBe(config.teams.appId);
    expect(manifest.bots[0]?.botId).toBe(config.teams.appId);
    expect(manifest.validDomains).toEqual(['itbuddy.northwind.example']);
    expect(manifest.developer.websiteUrl).toBe(config.http.publicUrl);
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('builds without the app password, and says where the privacy and terms links point', () => {
    expect(output).toContain('Teams app package written to dist/teams/itbuddy-teams.zip');
    expect(output).toContain('TEAMS_PRIVACY_URL and TEAMS_TERMS_URL');
    expect(manifest.developer.privacyUrl).toBe('https://itbuddy.northwind.example');
  });

  it('links the privacy notice and terms of use configured for the package', async () => {
    const script = path.resolve('adapters/teams/package/build-package.ts');
    const run = await promisify(execFile)(process.execPath, [script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        MICROSOFT_APP_ID: appId,
        PUBLIC_URL: 'https://itbuddy.northwind.example',
        TEAMS_PRIVACY_URL: 'https://northwind.example/privacy',
        TEAMS_TERMS_URL: 'https://northwind.example/terms',
      },
    });
    expect(run.stdout).not.toContain('TEAMS_PRIVACY_URL');
    const built = unzip(await readFile(path.join(dir, 'dist/teams/itbuddy-teams.zip')));
    const developer = (JSON.parse(built.get('manifest.json')!.toString('utf8')) as TeamsManifest).developer;
    expect(developer.privacyUrl).toBe('https://northwind.example/privacy');
    expect(developer.termsOfUseUrl).toBe('https://northwind.example/terms');
  });

  it('offers the bot in personal chats, teams and group chats, with the adapter’s commands in each', () => {
    const bot = manifest.bots[0]!;
    expect(bot.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.commandLists.flatMap((l) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) {
      // Personal chats start with the prompt starters (the same prompts Slack pins), then the commands.
      const expected = list.scopes.includes('personal') ? personalCommands : teamsCommands;
      expect(list.commands).toEqual(expected.map((c) => ({ title: c.title, description: c.description })));
      for (const c of list.commands)
        expect(isTeamsCommand(c.title) || promptStarters.some((p) => p.title === c.title)).toBe(true);
    }
  });

  it('lists the same prompts as Slack pins in its Messages tab, as personal-chat prompt starters', () => {
    const personal = manifest.bots[0]!.commandLists.find((l) => l.scopes.includes('personal'))!;
    for (const prompt of defaultPrompts) {
      // Teams puts a starter's title in the compose box: it is the prompt's message ("request" is a command).
      expect(personal.commands.map((c) => c.title)).toContain(prompt.message);
    }
  });

  it('stays within the manifest schema’s limits', () => {
    const m = manifest as TeamsManifest & {
      manifestVersion: string;
      $schema: string;
      name: { short: string; full: string };
      description: { short: string; full: string };
      accentColor: string;
      icons: { color: string; outline: string };
    };
    expect(m.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${m.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(Number(m.manifestVersion)).toBeGreaterThanOrEqual(1.17);
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.name.short.length).toBeLessThanOrEqual(30);
    expect(m.name.full.length).toBeLessThanOrEqual(100);
    expect(m.description.short.length).toBeLessThanOrEqual(80);
    expect(m.description.full.length).toBeLessThanOrEqual(4000);
    expect(m.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(m.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    for (const list of m.bots[0]!.commandLists) {
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const c of list.commands) {
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length).toBeLessThanOrEqual(128);
      }
    }
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent only', () => {
    const color = PNG.sync.read(files.get('color.png')!);
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = PNG.sync.read(files.get('outline.png')!);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let solid = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      if (a === 0) transparent++;
      else expect([r, g, b]).toEqual([255, 255, 255]);
      if (a === 255) solid++;
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(solid).toBeGreaterThan(50);
  });
});

describe('buildTeamsPackage', () => {
  const out = path.join(tmpdir(), 'itbuddy-never-written.zip');

  it('refuses an app id that is not a GUID, naming MICROSOFT_APP_ID', () => {
    expect(() =>
      buildTeamsPackage({ appId: 'itbuddy', publicUrl: 'https://x.example', version: '1.0.0', outFile: out }),
    ).toThrow(/MICROSOFT_APP_ID/);
    expect(() =>
      buildTeamsPackage({ appId: undefined, publicUrl: 'https://x.example', version: '1.0.0', outFile: out }),
    ).toThrow(ConfigError);
  });

  it('refuses privacy or terms links that are not https, naming the variable', () => {
    const base = { appId, publicUrl: 'https://x.example', version: '1.0.0', outFile: out };
    expect(() => buildTeamsPackage({ ...base, privacyUrl: 'http://x.example/p' })).toThrow(
      /TEAMS_PRIVACY_URL/,
    );
    expect(() => buildTeamsPackage({ ...base, termsUrl: 'ftp://x.example/t' })).toThrow(/TEAMS_TERMS_URL/);
  });

  it('refuses a PUBLIC_URL Teams cannot reach, naming PUBLIC_URL', () => {
    for (const publicUrl of ['http://itbuddy.example', 'https://localhost:3978', 'not a url']) {
      expect(() => buildTeamsPackage({ appId, publicUrl, version: '1.0.0', outFile: out })).toThrow(
        /PUBLIC_URL/,
      );
    }
  });
});
