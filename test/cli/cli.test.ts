// The `itbuddy` command line, run as a real process: kb check, ask (text, JSON, JSONL) and the command table.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand, CliIo } from '../../adapters/cli/command.ts';
import { findCommand, runCli } from '../../adapters/cli/main.ts';
import { runProcess } from '../helpers/run-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin', 'itbuddy.js');
const kbDir = path.join(root, 'kb');

/** Runs `itbuddy` with `args`, feeding `input` on stdin; the environment is only what the test gives. */
function itbuddy(args: string[], input = '', env: Record<string, string> = {}) {
  return runProcess(process.execPath, [bin, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', KB_WATCH: 'false', ...env },
    input: input,
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('itbuddy kb check', () => {
  it('passes the product knowledge base', async () => {
    const run = await itbuddy(['kb', 'check', kbDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ .*kb: 35 article\(s\) usable, 0 error\(s\)/);
  });

  it('exits 1 and names the broken file and field', async () => {
    const bad = path.join(dir, 'bad-kb');
    await mkdir(bad);
    await writeFile(
      path.join(bad, 'good.md'),
      '---\ntitle: A good article\n---\nA body that is long enough.\n\n## Steps\n1. Go.\n',
    );
    await writeFile(path.join(bad, 'wifi.md'), '---\ntitle: Hi\n---\nA body that is long enough to count.\n');
    const run = await itbuddy(['kb', 'check', bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ wifi.md: field "title"');
    expect(run.stdout).toContain('1 article(s) usable, 1 error(s)');
  });

  it('reports every problem of a file, not just the first', async () => {
    const bad = path.join(dir, 'many-problems-kb');
    await mkdir(bad);
    await writeFile(path.join(bad, 'vpn.md'), '---\nid: Not An Id\ntitle: Hi\ncolour: blue\n---\n# VPN\n');
    const run = await itbuddy(['kb', 'check', bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ vpn.md: field "id"');
    expect(run.stdout).toContain('✗ vpn.md: field "title"');
    expect(run.stdout).toContain('✗ vpn.md: field "front matter": unknown field(s) colour');
    expect(run.stdout).toContain('✗ vpn.md: the article body is empty');
    expect(run.stdout).toContain('0 article(s) usable, 4 error(s)');
  });

  it('reports a folder that does not exist', async () => {
    const run = await itbuddy(['kb', 'check', path.join(dir, 'nowhere')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Cannot read the knowledge base folder');
  });
});

describe('itbuddy ask', () => {
  it('writes one JSON object per stdin line with the agreed fields', async () => {
    const run = await itbuddy(
      ['ask', '--kb', kbDir, '--jsonl'],
      'how do I reset my password?\n\nWhat is the capital of Australia?\n',
    );
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(Object.keys(lines[0])).toEqual([
      'question',
      'answered',
      'articleId',
      'confidence',
      'alternatives',
      'offered',
    ]);
    expect(lines[0]).toMatchObject({
      question: 'how do I reset my password?',
      answered: true,
      articleId: 'reset-password',
    });
    expect(lines[0].alternatives.length).toBeLessThanOrEqual(3);
    expect(lines[0].alternatives).not.toContain('reset-password');
    expect(lines[0].offered).toEqual([]);
    expect(lines[1]).toMatchObject({ answered: false, articleId: null, offered: [] });
    expect(lines[1].confidence).toBeLessThan(0.5);
  });

  it('lists the offered article ids when it clarifies, and "answered" stays false', async () => {
    const fixture = path.resolve(import.meta.dirname, '../fixtures/kb-clarify');
    // A threshold no answer reaches puts every plausible question in the clarify band.
    const run = await itbuddy(
      ['ask', '--kb', fixture, '--jsonl', '--min-confidence', '0.99'],
      'printer problem\nWhat is the capital of Australia?\n',
    );
    expect(run.code).toBe(0);
    const [clarified, abstained] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(clarified).toMatchObject({ answered: false, articleId: null });
    expect(clarified.offered).toContain('printer-offline');
    expect(clarified.offered.length).toBeLessThanOrEqual(3);
    expect(abstained).toMatchObject({ answered: false, articleId: null, offered: [] });
  });

  it('prints a readable answer with the matching section', async () => {
    const run = await itbuddy(['ask', 'vpn keeps dropping', '--kb', kbDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[vpn-troubleshooting, confidence');
    expect(run.stdout).toContain("If it's slow or keeps dropping:");
  });

  it('prints one JSON answer with --json', async () => {
    const run = await itbuddy(['ask', 'add a printer on my mac', '--kb', kbDir, '--json']);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ answered: true, articleId: 'printer-add', title: expect.any(String) });
    expect(answer.section.heading).toEqual(expect.any(String));
  });

  it('uses KB_DIR from the configuration when --kb is not given', async () => {
    const run = await itbuddy(['ask', 'how do I reset my password?', '--json'], '', { KB_DIR: kbDir });
    expect(JSON.parse(run.stdout).articleId).toBe('reset-password');
  });

  it('falls back to the built-in synonyms for a folder without its own', async () => {
    const folder = path.join(dir, 'no-synonyms');
    await mkdir(folder);
    await writeFile(
      path.join(folder, 'gp.md'),
      '---\ntitle: Connect with GlobalProtect\n---\nOpen GlobalProtect and press Connect.\n\n## Steps\n1. Open it.\n',
    );
    const withBuiltIn = JSON.parse((await itbuddy(['ask', 'vpn', '--kb', folder, '--json'])).stdout);
    expect(withBuiltIn.articleId).toBe('gp');
    const empty = path.join(dir, 'empty-synonyms.yaml');
    await writeFile(empty, 'groups: []\n');
    const without = JSON.parse(
      (await itbuddy(['ask', 'vpn', '--kb', folder, '--json', '--synonyms', empty])).stdout,
    );
    expect(without.articleId).toBeNull();
  });

  it('names the commands of a group typed on its own ("itbuddy kb", "itbuddy help kb"), with their options', async () => {
    const alone = await itbuddy(['kb']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^"kb" goes with one more word: kb check, kb learned\./);
    expect(alone.stderr).toContain('itbuddy kb learned approve ID');
    expect(alone.stderr).not.toContain('Unknown command');
    const help = await itbuddy(['help', 'kb']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('itbuddy kb check [DIR] [--strict]');
    expect(help.stdout).not.toContain('Usage: itbuddy <command>');
  });

  it('says plainly when a command needs one more word, and lists the choices', async () => {
    const run = await itbuddy(['data']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^"data" goes with one more word\. Pick one of these:/);
    expect(run.stderr).toContain('itbuddy data export [--out FILE]');
    const wrong = await itbuddy(['newsletter', 'send-later']);
    expect(wrong.stderr).toMatch(/^"newsletter send-later" is not something "newsletter" can do/);
  });

  it('explains a usage mistake and exits 2', async () => {
    const run = await itbuddy(['ask', '--kb', kbDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('What is the question?');
    expect(run.stderr).toContain('Usage:');
  });
});

describe('command table', () => {
  const io = (): CliIo & { out: () => string } => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d) => {
      text += d;
    });
    return {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: {},
      interactive: false,
      out: () => text,
    };
  };
  const command = (name: string[], code: number): CliCommand => ({
    name,
    summary: name.join(' '),
    usage: name.join(' '),
    run: async () => code,
  });

  it('picks the command matching the most words', () => {
    const table = [command(['db'], 1), command(['db', 'sync-indexes'], 2)];
    expect(findCommand(table, ['db', 'sync-indexes', '--dry-run'])).toMatchObject({
      command: { name: ['db', 'sync-indexes'] },
      rest: ['--dry-run'],
    });
    expect(findCommand(table, ['db', 'other'])?.command.name).toEqual(['db']);
    expect(findCommand(table, ['report'])).toBeUndefined();
  });

  it('runs a registered command and lists it in help', async () => {
    const table = [command(['report'], 7)];
    expect(await runCli(['report'], io(), table)).toBe(7);
    const help = io();
    expect(await runCli([], help, table)).toBe(0);
    expect(help.out()).toContain('report');
    expect(await runCli(['nope'], io(), table)).toBe(2);
  });
});
