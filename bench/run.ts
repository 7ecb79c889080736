// `npm run bench`: runs every bench/*-bench.ts module and prints one JSON document, { "<name>": {...figures} }.
// A module takes part by exporting `async function <name>Bench(): Promise<Record<string, unknown>>`.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

const files = (await readdir(here)).filter((f) => f.endsWith('-bench.ts')).sort();
const results: Record<string, unknown> = {};
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as Record<string, unknown>;
  for (const [exported, fn] of Object.entries(mod)) {
    if (typeof fn !== 'function' || !/Bench$/.test(exported)) continue;
    const name = exported.replace(/Bench$/, '');
    if (only.length > 0 && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name} (${file})...\n`);
    const started = performance.now();
    try {
      results[name] = await (fn as () => Promise<Record<string, unknown>>)();
    } catch (error) {
      results[name] = { error: (error as Error).message };
    }
    process.stderr.write(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
