// `itbuddy chat`: a terminal conversation through the real core and embedded store; buttons are picked by number.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-chat-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function chat(lines: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'bin', 'itbuddy.js'), 'chat', '--user', 'tester'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          KB_DIR: path.join(root, 'kb'),
          KB_WATCH: 'false',
          DATA_DIR: dataDir,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(`${lines.join('\n')}\n`);
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
