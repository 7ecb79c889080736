// IT Buddy markdown → Slack mrkdwn, and Slack message text → plain text: the two directions of Slack formatting.
//
// Outbound, every piece of text is escaped first (&, <, >), so a user who typed `<!channel>` or `<@U123>` gets
// exactly those characters shown, never a mention or a link. Only the markdown the core wrote becomes formatting.
import { type InlineToken, parseBlocks, parseInline, toPlainText } from '../../src/messages/markdown.ts';

/** Escapes the three characters Slack treats as control sequences in mrkdwn and in plain fallback text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A URL safe inside `<url|label>`: escaped, and with the characters that would end the link percent-encoded. */
function slackUrl(url: string): string {
  return escapeSlack(url.replace(/\|/g, '%7C').replace(/\s/g, '%20'));
}

/** A Slack link `<url|label>` with both parts escaped; an empty label shows the URL. */
export function slackLink(url: string, label: string): string {
  return `<${slackUrl(url)}|${escapeSlack(label.trim() || url)}>`;
}

/** Wraps `text` in a formatting marker, keeping surrounding spaces outside it (Slack ignores `* x *`). */
function wrap(marker: string, text: string): string {
  const inner = text.trim();
  if (!inner) return escapeSlack(text);
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const trail = /\s*$/.exec(text)?.[0] ?? '';
  return `${escapeSlack(lead)}${marker}${escapeSlack(inner)}${marker}${escapeSlack(trail)}`;
}

function inlineToMrkdwn(token: InlineToken): string {
  switch (token.kind) {
    case 'text':
      return escapeSlack(token.text);
    case 'bold':
      return wrap('*', token.text);
    case 'italic':
      return wrap('_', token.text);
    case 'code':
      return `\`${escapeSlack(token.text.replace(/`/g, "'"))}\``;
    case 'link':
      return slackLink(token.url, token.text);
  }
}

/**
 * Remembers the last conversions: answers quote the same article sections again and again, and converting their
 * markdown was most of the cost of rendering an answer. Bounded, oldest first out; long texts are not kept.
 */
function remembered(
  convert: (text: string) => string,
  entries = 500,
  longest = 4000,
): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    const known = cache.get(text);
    if (known !== undefined) return known;
    const converted = convert(text);
    if (text.length <= longest) {
      if (cache.size >= entries) cache.delete(cache.keys().next().value as string);
      cache.set(text, converted);
    }
    return converted;
  };
}

/** Converts IT Buddy markdown to Slack mrkdwn: **bold** → *bold*, links → <url|label>, lists → "• " / "1. ". */
export const toMrkdwn: (markdown: string) => string = remembered((markdown) =>
  parseBlocks(markdown)
    .map((line) => {
      const inline = parseInline(line.text).map(inlineToMrkdwn).join('');
      if (line.kind === 'bullet') return `• ${inline}`;
      if (line.kind === 'numbered') return `${line.number}. ${inline}`;
      return inline;
    })
    .join('\n'),
);

/** Plain text for `plain_text` objects (headers, buttons, labels): markdown removed, nothing escaped. */
export const toPlain: (markdown: string) => string = remembered((markdown) =>
  toPlainText(markdown).replace(/\s+/g, ' ').trim(),
);

/** Shortens to `max` characters with an ellipsis; never returns an empty string when given one. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Splits mrkdwn into chunks of at most `max` characters, at line breaks where possible and otherwise at a space,
 * never inside a `<link|label>` or an `&amp;` entity, so every chunk is valid on its own.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const push = () => {
    if (current.trim()) chunks.push(current.replace(/\n+$/, ''));
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (candidate.length <= max) {
      current = candidate;
      continue;
    }
    push();
    let rest = line;
    while (rest.length > max) {
      const cut = safeCut(rest, max);
      chunks.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    current = rest;
  }
  push();
  return chunks;
}

/** The last safe position ≤ max to cut a long line: after a space, outside links and entities. */
function safeCut(line: string, max: number): number {
  const isSafe = (at: number) => {
    const before = line.slice(0, at);
    const openLink = before.lastIndexOf('<') > before.lastIndexOf('>');
    const openEntity = /&[a-z]{0,4}$/.test(before);
    return !openLink && !openEntity;
  };
  for (let at = max; at > max / 2; at--) {
    if (line[at - 1] === ' ' && isSafe(at)) return at;
  }
  for (let at = max; at > 0; at--) {
    if (isSafe(at)) return at;
  }
  return max;
}

/**
 * Slack message text (what a person typed) → plain text for the core: user and channel mentions become
 * `@U123` / `#name`, links become their label and URL, and Slack's &amp; &lt; &gt; entities are decoded.
 */
export function fromSlackText(text: string, options: { dropUser?: string } = {}): string {
  const converted = text.replace(/<([^<>]+)>/g, (_match, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) {
      if (options.dropUser && target.slice(1) === options.dropUser) return '';
      return label ? `@${label}` : target;
    }
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) {
      const name = target.slice(1).split('^')[0] ?? '';
      return label ?? `@${name.replace(/^subteam$/, 'group')}`;
    }
    if (label && label !== target && label !== target.replace(/^mailto:/, '')) return `${label} (${target})`;
    return target.replace(/^mailto:/, '');
  });
  return converted
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
