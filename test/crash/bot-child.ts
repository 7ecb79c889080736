// The crash tests' child process: loads the bot's modules, says "ready", and on "start" (stdin) runs the real
// entry point, adapters/main.ts. Loading ahead lets the next process warm up while the previous one still runs.
import { once } from 'node:events';

await import('../../adapters/server.ts');
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
await import('../../adapters/main.ts');
