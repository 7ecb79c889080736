// The shape of the house: the core speaks no platform, only the Teams adapter touches botbuilder, features reach
// each other only through their public modules (shared helpers live in neutral folders), and shipped code logs
// through the logger (the command-line tool alone writes to the console).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve('.');

/** Every .ts file under `dir` (relative to the project root), excluding node_modules. */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('node_modules'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Module specifiers a file imports: static imports, re-exports, dynamic import() and import('...') types. */
function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) specifiers.push(match[1]!);
  }
  return specifiers;
}

/** Files under `dir` and the specifiers in each that match `forbidden`. */
async function offenders(dir: string, forbidden: (specifier: string, file: string) => boolean) {
  const found: string[] = [];
  for (const file of await sourceFiles(dir)) {
    const source = await readFile(path.join(root, file), 'utf8');
    for (const specifier of importsOf(source))
      if (forbidden(specifier, file)) found.push(`${file} imports ${specifier}`);
  }
  return found;
}

/** Whether a relative specifier in `file` resolves into the adapters/ folder. */
function reachesAdapters(specifier: string, file: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = path
    .relative(root, path.resolve(root, path.dirname(file), specifier))
    .split(path.sep)
    .join('/');
  return target === 'adapters' || target.startsWith('adapters/');
}

/** The feature folders of src/, and the modules of each that other features may import (its public surface). */
const featureSurfaces: Record<string, string[]> = {
  announcements: ['announcement-feature.ts', 'announcement.ts', 'known-issues.ts'],
  answers: ['answer-feature.ts', 'answer-card.ts', 'answerer.ts'],
  intake: ['request-schema.ts'],
  newsletter: [],
  roles: ['role-admin.ts', 'roles-feature.ts'],
};

/** For a relative specifier in a src/ file: the feature folder and module it reaches, when that is another feature. */
function otherFeatureTarget(
  specifier: string,
  file: string,
): { feature: string; module: string } | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path
    .relative(root, path.resolve(root, path.dirname(file), specifier))
    .split(path.sep)
    .join('/');
  const [top, feature, ...rest] = target.split('/');
  const parts = file.split('/');
  // src/app.ts is the composition root: wiring features together is its job.
  if (parts.length < 3) return undefined;
  const own = parts[1];
  if (top !== 'src' || !feature || !(feature in featureSurfaces) || feature === own) return undefined;
  return { feature, module: rest.join('/') };
}

describe('architecture', () => {
  it('finds imports in every form the boundary checks rely on', () => {
    const sample = [
      "import { a } from '../adapters/x.ts';",
      "import type { B } from '@slack/bolt';",
      "import * as c from 'botbuilder';",
      "import 'side-effect';",
      "export { d } from './d.ts';",
      "export * from './e.ts';",
      "const f = await import('botbuilder-core');",
      "type G = import('@slack/web-api').WebClient;",
    ].join('\n');
    expect(importsOf(sample).sort()).toEqual(
      [
        '../adapters/x.ts',
        '@slack/bolt',
        'botbuilder',
        'side-effect',
        './d.ts',
        './e.ts',
        'botbuilder-core',
        '@slack/web-api',
      ].sort(),
    );
  });

  it('scans the whole core', async () => {
    const files = await sourceFiles('src');
    expect(files).toContain('src/bot/bot.ts');
    expect(files).toContain('src/messages/replies.ts');
  });

  it('no file under src/ imports from adapters/, @slack/* or botbuilder*', async () => {
    const found = await offenders(
      'src',
      (s, file) => s.startsWith('@slack/') || /^botbuilder/.test(s) || reachesAdapters(s, file),
    );
    expect(found).toEqual([]);
  });

  it('features import each other only through public modules, never a helper another feature owns', async () => {
    const found = await offenders('src', (s, file) => {
      const target = otherFeatureTarget(s, file);
      return target !== undefined && !featureSurfaces[target.feature]!.includes(target.module);
    });
    expect(found).toEqual([]);
  });

  it('time-zone helpers and secret masking live in neutral folders, not inside a feature', async () => {
    const files = await sourceFiles('src');
    expect(files).toContain('src/time/zoned-time.ts');
    expect(files).toContain('src/privacy/secret-masking.ts');
    expect(files.filter((f) => /\/(zoned-time|secret-masking)\.ts$/.test(f))).toEqual([
      'src/privacy/secret-masking.ts',
      'src/time/zoned-time.ts',
    ]);
  });

  it('only the Teams adapter imports botbuilder*', async () => {
    const found: string[] = [];
    for (const dir of ['src', 'adapters', 'bench', 'bin']) {
      const inDir = await offenders(
        dir,
        (s, file) => /^botbuilder/.test(s) && !file.startsWith('adapters/teams/'),
      ).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
      found.push(...inDir);
    }
    expect(found).toEqual([]);
  });

  it('shipped code has no console.* calls (the command-line tool in adapters/cli/ excepted)', async () => {
    const found: string[] = [];
    for (const dir of ['src', 'adapters']) {
      for (const file of await sourceFiles(dir)) {
        if (file.startsWith('adapters/cli/') || file === 'adapters/cli.ts') continue;
        const lines = (await readFile(path.join(root, file), 'utf8')).split('\n');
        lines.forEach((line, i) => {
          // Comments may talk about console.log; only code counts.
          if (/^\s*(\/\/|\/?\*)/.test(line)) return;
          if (/\bconsole\s*\.\s*\w+/.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(found).toEqual([]);
  });
});
