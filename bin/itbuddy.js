#!/usr/bin/env node
// The `itbuddy` command: checks the Node.js version first (one clear line instead of a loader error on an old
// one), then hands over to the TypeScript sources, which Node runs directly (type stripping).
import { unsupportedMessage } from './check-node.js';

const refusal = unsupportedMessage(process.version);
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exitCode = 1;
} else {
  import('../adapters/cli/main.ts')
    .then((cli) => cli.main(process.argv.slice(2)))
    .then((code) => {
      process.exitCode = code;
    });
}
