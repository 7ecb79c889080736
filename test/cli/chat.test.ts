// `itbuddy chat`: a terminal conversation through the real core and embedded store; buttons are picked by number.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../helpers/run-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-chat-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function chat(lines: string[]) {
  return runProcess(process.execPath, [path.join(root, 'bin', 'itbuddy.js'), 'chat', '--user', 'tester'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      KB_DIR: path.join(root, 'kb'),
      KB_WATCH: 'false',
      DATA_DIR: dataDir,
    },
    input: `${lines.join('\n')}\n`,
  });
}

describe('itbuddy chat', () => {
  it('answers a question and records feedback when a numbered button is picked', async () => {
    const run = await chat(['how do I reset my password?', '1', 'exit']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Reset a forgotten password');
    expect(run.stdout).toMatch(/\[1\] 👍 That helped/);
    expect(run.stdout).toContain("Thanks for telling me! I'm glad that helped.");
  });

  it('says when it does not know and offers to pass the question on', async () => {
    const run = await chat(["what's the capital of australia?"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("I'm not sure about that one");
    expect(run.stdout).toMatch(/\[1\] Yes, pass it to IT/);
  });
});
