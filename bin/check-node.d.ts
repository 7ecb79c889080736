// Types of bin/check-node.js, which stays plain JavaScript so that old Node.js versions can run it.

/** How to install a supported Node.js; the README's prerequisite line says the same. */
export const installHint: string;
/** The minimum version from package.json's engines field, as [major, minor, patch]. */
export function requiredVersion(): [number, number, number];
/** True when `version` ("v20.19.0" or "20.19.0") is at least `needed`. */
export function isSupported(version: string, needed: readonly number[]): boolean;
/** The one-line refusal, or undefined when `version` is supported. */
export function unsupportedMessage(version: string): string | undefined;
