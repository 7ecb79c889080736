// Stopping the control channel while a command runs: stop waits for the command, so the server that closes its
// store right after never closes it under a command still writing.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { type ControlFile, startControlServer } from '../../adapters/cli/control-server.ts';
import type { App } from '../../src/app.ts';
import type { Config } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/logging/logger.ts';

it('stop resolves only once a command still running has finished', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-control-stop-'));
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  let finish!: () => void;
  const release = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let finished = false;
  const control = await startControlServer({
    app: {} as App,
    config: {} as Config,
    logger: silentLogger(),
    dataDir,
    run: async () => {
      started();
      await release;
      finished = true;
      return 0;
    },
  });
  try {
    const file = JSON.parse(await readFile(path.join(dataDir, 'control.json'), 'utf8')) as ControlFile;
    const argv = Buffer.from(JSON.stringify({ argv: ['data', 'import'], cwd: dataDir, interactive: false }));
    const response = fetch(`http://127.0.0.1:${file.port}/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${file.token}`, 'x-itbuddy-command': argv.toString('base64') },
      body: '',
    }).catch(() => undefined);
    await running;
    // The command ends a while after stop is called; stop must not have resolved before it did. (Without the
    // wait, stop resolved as soon as the connection was dropped, with the command still running.)
    const ending = setTimeout(finish, 300);
    await control.stop();
    expect(finished).toBe(true);
    clearTimeout(ending);
    await response;
  } finally {
    finish();
    await rm(dataDir, { recursive: true, force: true });
  }
});
