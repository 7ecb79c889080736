// `itbuddy roles …` and `itbuddy newsletter …` on a throwaway data folder, through the CLI dispatcher.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../adapters/cli/command.ts';
import { commands } from '../../adapters/cli/commands/index.ts';
import { runCli } from '../../adapters/cli/main.ts';
import { testEnvDefaults } from '../helpers/test-config.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-cli-newsletter-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function itbuddy(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const io: CliIo = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { ...testEnvDefaults, DATA_DIR: dataDir, KB_DIR: 'kb', ADMINS: 'slack:UADMIN', ...env },
    interactive: false,
  };
  const code = await runCli(args, io, commands);
  return { code, stdout: out, stderr: err };
}

describe('itbuddy roles', () => {
  it('grants, lists and revokes roles kept in the store', async () => {
    const granted = await itbuddy(['roles', 'grant', 'slack:ULEE', 'liaison']);
    expect(granted).toMatchObject({ code: 0, stdout: '✓ slack:ULEE is now liaison.\n' });
    const again = await itbuddy(['roles', 'grant', 'slack:ULEE', 'liaison']);
    expect(again.stdout).toBe('ℹ slack:ULEE already had liaison.\n');

    const list = await itbuddy(['roles', 'list']);
    expect(list.stdout).toContain('slack:UADMIN\tadmin\tconfiguration');
    expect(list.stdout).toMatch(/slack:ULEE\tliaison\tgranted by cli on \d{4}-\d{2}-\d{2}/);

    expect((await itbuddy(['roles', 'revoke', 'slack:ULEE', 'liaison'])).stdout).toBe(
      '✓ slack:ULEE is no longer liaison.\n',
    );
    expect((await itbuddy(['roles', 'list'])).stdout).not.toContain('ULEE');
  });

  it('explains a wrong call and exits 2', async () => {
    const bad = await itbuddy(['roles', 'grant', 'ULEE', 'liaison']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected a user like slack:U012AB3CD');
    expect((await itbuddy(['roles', 'grant', 'slack:ULEE', 'boss'])).stderr).toContain(
      'liaison, it-staff or admin',
    );
    // A Teams conversation id is not a person: the answer says what to use instead.
    const conversation = await itbuddy(['roles', 'grant', 'teams:29:1a2bXyZ', 'liaison']);
    expect(conversation.code).toBe(2);
    expect(conversation.stderr).toContain('is a Teams conversation id, not a person');
    expect(conversation.stderr).toContain('Object ID');
  });
});

describe('itbuddy newsletter', () => {
  it('status shows the schedule and the next issue time', async () => {
    const status = await itbuddy(['newsletter', 'status'], {
      NEWSLETTER_CRON: '30 8 * * 2',
      NEWSLETTER_TIMEZONE: 'Europe/Paris',
      NEWSLETTER_DESTINATIONS: 'slack:C1,teams:19:abc',
    });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Schedule:     30 8 * * 2 (Europe/Paris)');
    expect(status.stdout).toMatch(
      /Next issue: {3}Tue \d{1,2} \w{3}, 08:30 \(\d{4}-\d{2}-\d{2}T0[67]:30:00\.000Z\)/,
    );
    expect(status.stdout).toContain('Destinations: 2');
    expect(status.stdout).toContain('Last issue:   none yet');
  });

  it('preview prints the next issue with the help section; history starts empty', async () => {
    const preview = await itbuddy(['newsletter', 'preview'], { IT_HELP_EMAIL: 'it@example.com' });
    expect(preview.code).toBe(0);
    // No destinations configured: the preview says nothing will be posted, and how to change that.
    expect(preview.stdout).toMatch(
      /^Preview of \d{4}-W\d{2}, due .*\. No channel gets the newsletter yet, so nothing will be posted: set NEWSLETTER_DESTINATIONS/,
    );
    expect(preview.stdout).toContain('No changes this week');
    expect(preview.stdout).toMatch(/^Where to get help:$/m);
    // A heading that already ends in a question mark gets no colon after it.
    expect(preview.stdout).toMatch(/^How was this issue\?$/m);
    expect(preview.stdout).toContain('it@example.com');
    expect((await itbuddy(['newsletter', 'history'])).stdout).toContain('No newsletter has gone out yet.');
  });
});
