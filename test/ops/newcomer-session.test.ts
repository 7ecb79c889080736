// Runs test/ops/newcomer-session.sh, the newcomer's whole first session (install, start, ask, request, export,
// import into MongoDB, start on MongoDB, see the same requests), as part of `npm test`, within a time limit.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, 'newcomer-session.sh');
const mongoUri = process.env.TEST_MONGODB_URI;
/** Install (npm ci from the cache), two start-ups and the CLI runs: about two minutes on a busy two-core machine. */
const limitMs = 420_000;

/** Runs the script; stops it (it cleans up after itself) if it outlives the limit. */
function runSession(uri: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_MONGODB_URI: uri };
  for (const name of ['MONGODB_URI', 'DATA_DIR', 'PORT', 'LOG_LEVEL']) delete env[name];
  return new Promise<{ code: number | null; output: string; timedOut: boolean }>((resolve, reject) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

describe('a newcomer session', () => {
  if (!mongoUri) {
    if (process.env.CI) {
      it('requires TEST_MONGODB_URI in CI (start one with .ci/start-ferretdb.sh)', () => {
        throw new Error('TEST_MONGODB_URI is not set: CI must run the newcomer session, never skip it.');
      });
    } else it.skip('newcomer session SKIPPED: set TEST_MONGODB_URI', () => {});
    return;
  }

  it(
    'installs, starts, answers, saves a request, exports, imports into MongoDB and shows the request there',
    async () => {
      const run = await runSession(mongoUri);
      expect(run.timedOut, run.output).toBe(false);
      expect(run.code, run.output).toBe(0);
      for (const step of [
        'install:',
        'ask:',
        'saved as IT-',
        'export:',
        'import:',
        'start: npm start on MongoDB',
      ]) {
        expect(run.output).toContain(step);
      }
      expect(run.output).toMatch(/done: every step of the session worked/);
    },
    limitMs + 30_000,
  );
});
