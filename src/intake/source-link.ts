// The link to the conversation a request came from ("Open the conversation" on IT's card). A request started
// from a message shortcut is finished in a form, so the link travels in the form's state and comes back with
// the submission. The state passes through the user's client on some platforms, so what comes back is only kept
// when it is an https link to the platform's own host: never a link a requester could point elsewhere.
import type { Platform } from '../messages/incoming.ts';

const platformHosts: Partial<Record<Platform, RegExp>> = {
  slack: /^([a-z0-9-]+\.)*slack\.com$/i,
  teams: /^teams\.microsoft\.com$|^teams\.cloud\.microsoft$/i,
};

/** The form state that carries `sourceUrl` (undefined when there is none). */
export function sourceState(sourceUrl: string | undefined): string | undefined {
  return sourceUrl ? JSON.stringify({ sourceUrl }) : undefined;
}

/** The source link carried back in a form's state, when it is a link to the platform itself. */
export function sourceFromState(platform: Platform, state: string | undefined): string | undefined {
  if (!state) return undefined;
  let url: URL;
  try {
    const carried = (JSON.parse(state) as { sourceUrl?: unknown }).sourceUrl;
    if (typeof carried !== 'string' || carried.length > 2000) return undefined;
    url = new URL(carried);
  } catch {
    return undefined;
  }
  const host = platformHosts[platform];
  if (url.protocol !== 'https:' || !host?.test(url.hostname) || url.username || url.password)
    return undefined;
  return url.href;
}
