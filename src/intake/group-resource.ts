// Asks to create something shared for a group: a shared mailbox, a distribution list, a Teams team or channel, a
// shared drive folder or a site. Making a new one is a request of kind `other` (setting up a mailbox, list,
// channel or site, as docs/intake.md defines it); being given access to one that exists stays `access`. The
// title is the thing and what it is for ("Shared mailbox for supplier invoices").

const resource = String.raw`(?:shared\s+(?:mail ?box|inbox|calendar|drive(?: folder)?|folder|channel|notebook|workspace|space|account|email(?: address)?)|distribution (?:list|group)|mailing list|email list|security group|(?:ms |microsoft )?teams? (?:team|channel|site|space|workspace)|team (?:mailbox|inbox|calendar|site|space|channel|folder|drive)|group (?:mailbox|inbox|calendar|email(?: address)?|chat)|sharepoint (?:site|folder|library|page)|(?:project|department) (?:folder|drive|site|mailbox|inbox|channel))`;
// A new one: "a shared mailbox", "another distribution list", "set up a Teams channel", "create the project site",
// or the thing alone at the start ("shared calendar for the interns", after a label such as "new request:").
const newResource = new RegExp(
  String.raw`(?:^\s*(?:(?:new|separate|dedicated)\s+)?(${resource})|\b(?:(?:a|an|another|one more)\s+|(?:create|set up|setup|make|start|open|build|spin up|add)\s+(?:(?:a|an|the|our|some)\s+)?)(?:(?:new|separate|dedicated)\s+)?((?:[\w-]+\s+){0,2}?${resource}))\b`,
  'i',
);
// Words that make it access to, or removal from, something that exists.
const existing =
  /\b(?:access (?:to|for|on)|permissions?|rights|added to|add (?:me|us|him|her|them|[A-Z][a-z]+) to|remove|revoke|off the|join)\b/;
// What it is for, right after it or after where it lives ("a team site on SharePoint for the merger").
const purpose =
  /^(?:\s+(?:on|in)\s+[\w-]+)?\s+(?:for|to handle|to manage|to receive|to collect)\s+(?:(?:the|our|my|a|an|all)\s+)?([\w-]+(?:\s+(?!by\b|before\b|from\b|asap\b|please\b|so\b|as\b|because\b|and\b|with\b|that\b|which\b|where\b)[\w-]+){0,4})/i;

/** True when the words ask IT to create a shared mailbox, list, team, channel, folder or site for a group. */
export function isGroupResourceAsk(text: string): boolean {
  return newResource.test(text) && !existing.test(text);
}

/** The title of such an ask: the thing and what it is for ("Shared mailbox for supplier invoices"); else null. */
export function groupResourceTitle(text: string): string | null {
  if (!isGroupResourceAsk(text)) return null;
  const m = newResource.exec(text)!;
  const thing = (m[1] ?? m[2]!).replace(/\s+/g, ' ');
  const forWhat = purpose.exec(text.slice(m.index + m[0].length))?.[1];
  const title = forWhat ? `${thing} for ${forWhat}` : thing;
  return `${title.charAt(0).toUpperCase()}${title.slice(1)}`;
}
