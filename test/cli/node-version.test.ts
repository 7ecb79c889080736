// A clear first run: on an unsupported Node.js, `npm start`, `npm test` and the `itbuddy` command print one line
// (version found, version needed, how to install) and exit non-zero instead of a loader stack trace.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installHint, isSupported, requiredVersion, unsupportedMessage } from '../../bin/check-node.js';
import { runProcess } from '../helpers/run-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
// The machine's own Node.js is often older than IT Buddy needs (Node 20 on many distributions).
const oldNode = '/usr/bin/node';
const oldVersion = existsSync(oldNode)
  ? execFileSync(oldNode, ['--version'], { encoding: 'utf8' }).trim()
  : '';
const haveOldNode = oldVersion !== '' && !isSupported(oldVersion, requiredVersion());
if (!haveOldNode)
  console.warn(`No unsupported Node.js at ${oldNode}: the old-Node.js process tests are skipped.`);

/** Runs `command args` with only the old Node.js's folder on PATH; resolves with the exit code and output. */
function runWithOldNode(command: string, args: string[]) {
  return runProcess(command, args, {
    cwd: root,
    env: { PATH: `${path.dirname(oldNode)}:/bin`, HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test' },
  });
}

describe('the Node.js version check', () => {
  it('reads the minimum from package.json engines', () => {
    const engines = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toBe(`>=${requiredVersion().slice(0, 2).join('.')}`);
  });

  it('compares versions part by part', () => {
    expect(isSupported('v20.19.2', [22, 18, 0])).toBe(false);
    expect(isSupported('v22.17.9', [22, 18, 0])).toBe(false);
    expect(isSupported('v22.18.0', [22, 18, 0])).toBe(true);
    expect(isSupported('v24.1.0', [22, 18, 0])).toBe(true);
    expect(unsupportedMessage(process.version)).toBeUndefined();
  });

  it('names the version found, the version needed and the README install line', () => {
    const message = unsupportedMessage('v20.19.2') ?? '';
    expect(message).toContain('v20.19.2');
    expect(message).toContain(requiredVersion().join('.'));
    expect(message).toContain(installHint);
    expect(message).not.toContain('\n');
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(installHint.split(', then')[0]);
  });
});

describe.skipIf(!haveOldNode)(`on an unsupported Node.js (${oldVersion || 'none found'})`, () => {
  /** The one line every entry point must print. */
  const refusal = () => unsupportedMessage(oldVersion) ?? 'missing';

  it('the itbuddy command prints one line and exits 1', async () => {
    const run = await runWithOldNode(oldNode, [path.join(root, 'bin', 'itbuddy.js'), 'help']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`${refusal()}\n`);
  });

  it.each([['start'], ['test']])(
    'npm %s prints the line instead of a stack trace and fails',
    async (script) => {
      const npm = path.join(path.dirname(oldNode), 'npm');
      if (!existsSync(npm)) return;
      const run = await runWithOldNode(npm, [script]);
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toContain(refusal());
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|at .*\(node:/);
    },
  );
});
