// The documentation promises only what exists: every `itbuddy` command and every setting named in README.md,
// docs/, kb/README.md and .env.example is in the CLI's own command table and in env-schema.ts, every `npm run`
// script is in package.json, and the README links every guide. Names are read from the code, never listed here,
// so a new command or setting is checked as soon as the docs mention it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../adapters/cli/commands/index.ts';
import { findCommand } from '../../adapters/cli/main.ts';
import { knownVariables } from '../../src/config/env-schema.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Names in the docs that look like settings but belong to the test set-up, not to IT Buddy. */
const notSettings: Record<string, string> = {
  TEST_MONGODB_URI: 'the MongoDB the test suite uses',
  FERRETDB_PID: 'the throwaway FerretDB that .ci/start-ferretdb.sh starts',
  CHROMIUM_PATH: 'the browser the browser tests use',
  CRASH_SEED: 'replays another sequence of kill points in the crash-loop test',
  CRASH_RUNS: 'shortens the crash-loop test for a local investigation',
};

/** Every documentation file a reader meets: the README, the guides, the knowledge-base guide, .env.example. */
async function documents(): Promise<{ file: string; text: string }[]> {
  const guides = (await readdir(path.join(root, 'docs')))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const files = ['README.md', 'kb/README.md', '.env.example', ...guides.sort()];
  return Promise.all(
    files.map(async (file) => ({ file, text: await readFile(path.join(root, file), 'utf8') })),
  );
}

/** `itbuddy …` and `node bin/itbuddy.js …` invocations: the words up to the first option, argument or end. */
function cliMentions(text: string): string[][] {
  const found: string[][] = [];
  for (const m of text.matchAll(
    /(?<![/\w-])(?:itbuddy|node bin\/itbuddy\.js)((?: [a-z][a-z0-9|-]*(?=[\s`'".,;:)\]]|$))+)/g,
  )) {
    const words = m[1]!.trim().split(' ');
    // "newsletter status|history|preview" names three commands.
    const alternatives = words.findIndex((w) => w.includes('|'));
    if (alternatives < 0) found.push(words);
    else {
      for (const alt of words[alternatives]!.split('|'))
        found.push([...words.slice(0, alternatives), alt, ...words.slice(alternatives + 1)]);
    }
  }
  return found;
}

/** Why `words` is not a command of the CLI, or undefined when it is one. */
function unknownCommand(words: string[]): string | undefined {
  if (words[0] === 'help') return undefined;
  const found = findCommand(commands, words);
  if (!found) return `no command "${words.join(' ')}"`;
  // A sub-command handled inside the command ("roles grant") must be one its usage lists.
  const next = found.rest[0];
  const name = found.command.name.join(' ');
  if (next && /^[a-z][a-z-]*$/.test(next) && !found.command.usage.includes(`${name} ${next}`)) {
    return `"${name}" has no "${next}" (see itbuddy help ${name})`;
  }
  return undefined;
}

/** Setting-like names (`SLACK_BOT_TOKEN`, `OPENAI_*_PRICE_PER_MILLION`) and the known names each stands for. */
function settingMentions(text: string): string[] {
  return [...text.matchAll(/\b[A-Z][A-Z0-9]*(?:_(?:[A-Z0-9]+|\*))+\b/g)].map((m) => m[0]);
}

function isKnownSetting(name: string): boolean {
  if (name in notSettings) return true;
  const pattern = new RegExp(`^${name.replace(/\*/g, '[A-Z0-9_]+')}$`);
  return knownVariables.some((v) => pattern.test(v));
}

describe('the documentation', () => {
  it('finds command mentions in the forms the docs use', () => {
    expect(cliMentions('run `itbuddy kb check kb/` or node bin/itbuddy.js ask "x"; /itbuddy status')).toEqual(
      [['kb', 'check'], ['ask']],
    );
    expect(cliMentions('`itbuddy newsletter status|history`')).toEqual([
      ['newsletter', 'status'],
      ['newsletter', 'history'],
    ]);
    expect(unknownCommand(['newsletter', 'status'])).toBeUndefined();
    expect(unknownCommand(['newsletter', 'explode'])).toMatch(/has no "explode"/);
    expect(unknownCommand(['teleport'])).toMatch(/no command/);
  });

  it('names only commands the itbuddy CLI has', async () => {
    const problems: string[] = [];
    for (const { file, text } of await documents()) {
      for (const words of cliMentions(text)) {
        const problem = unknownCommand(words);
        if (problem) problems.push(`${file}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('names only settings env-schema.ts defines', async () => {
    expect(isKnownSetting('OPENAI_*_PRICE_PER_MILLION')).toBe(true);
    expect(isKnownSetting('SLACK_BOT_TOKN')).toBe(false);
    const problems: string[] = [];
    for (const { file, text } of await documents()) {
      for (const name of settingMentions(text)) {
        if (!isKnownSetting(name)) problems.push(`${file}: ${name} is not a setting`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('names only npm scripts package.json has', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const problems: string[] = [];
    for (const { file, text } of await documents()) {
      for (const m of text.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test))\b/g)) {
        const script = m[1] ?? m[2]!;
        if (!(script in pkg.scripts)) problems.push(`${file}: npm run ${script}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the README links every guide in docs/ and calls nothing finished "being built"', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const guides = (await readdir(path.join(root, 'docs'))).filter((f) => f.endsWith('.md'));
    expect(guides.filter((g) => !readme.includes(`](docs/${g})`))).toEqual([]);
    expect(readme).not.toMatch(/being built|\(in progress\)|coming soon|not yet (built|implemented)/i);
  });
});
