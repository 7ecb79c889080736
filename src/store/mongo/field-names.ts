// Escapes object keys MongoDB-compatible servers refuse ("." anywhere, "$" in front) and restores them on read.
//
// Free-form maps (zod records, stored as Mixed) may have keys like "os.version"; MongoDB only partly supports
// them and FerretDB 1.x rejects them. The escape is percent-style and reversible: "%" → "%25", "." → "%2E",
// a leading "$" → "%24". Keys without those characters, which is every schema field, are stored unchanged.

const needsEscape = /[.%]|^\$/;
const escaped = /%(25|2E|24)/g;
const unescapes: Record<string, string> = { '25': '%', '2E': '.', '24': '$' };

/** The stored form of one key. */
export function escapeKey(key: string): string {
  if (!needsEscape.test(key)) return key;
  return key.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24');
}

/** The original form of one stored key. */
export function unescapeKey(key: string): string {
  return key.includes('%') ? key.replace(escaped, (_, code: string) => unescapes[code] ?? '') : key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mapKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, rename));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[rename(key)] = mapKeys(inner, rename);
  return out;
}

/** Deep copy of a document with every key in its stored form. */
export function escapeKeys(doc: Record<string, unknown>): Record<string, unknown> {
  return mapKeys(doc, escapeKey) as Record<string, unknown>;
}

/** Deep copy of a stored document with every key restored. */
export function unescapeKeys(doc: Record<string, unknown>): Record<string, unknown> {
  return mapKeys(doc, unescapeKey) as Record<string, unknown>;
}
