// IT Buddy markdown → Adaptive Card markdown (the CommonMark subset Teams renders in TextBlocks and facts:
// bold, italic, lists and links). Text runs are escaped so user text stays literal: no injected formatting,
// links, HTML or {{DATE()}} substitutions. Pure functions.
import { type InlineToken, parseBlocks, parseInline, stripControl } from '../../src/messages/markdown.ts';

// Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones that could
// start formatting, a link or image, HTML, an entity, or a template function in a card. `-`, `+`, `#`, `.`
// and `)` only matter at the start of a line and are handled there, so ordinary prose keeps few backslashes.
const specials = /[\\`*_[\]<>&~{}]/g;

/** Escapes a plain run of text so an Adaptive Card shows it literally. */
export function escapeCardText(text: string): string {
  return stripControl(text).replace(specials, (c) => `\\${c}`);
}

/** A link target safe for a card: http(s) or mailto only, with characters that would end the link encoded. */
export function safeUrl(url: string): string | undefined {
  const trimmed = url.trim();
  if (!/^(https?:\/\/|mailto:)[^\s<>"]+$/i.test(trimmed)) return undefined;
  return trimmed.replace(
    /[()[\]\s<>"]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function inlineToCard(token: InlineToken): string {
  switch (token.kind) {
    case 'text':
      return escapeCardText(token.text);
    case 'bold':
      return token.text.trim() ? `**${escapeCardText(token.text)}**` : escapeCardText(token.text);
    case 'italic':
      return token.text.trim() ? `_${escapeCardText(token.text)}_` : escapeCardText(token.text);
    case 'code':
      // Teams cards have no inline code style; the text itself is what matters.
      return escapeCardText(token.text);
    case 'link': {
      const url = safeUrl(token.url);
      const label = escapeCardText(token.text) || (url ? escapeCardText(token.url) : '');
      return url ? `[${label}](${url})` : label;
    }
  }
}

/** One line of IT Buddy markdown as card markdown (no block structure). */
export function inlineCardMarkdown(line: string): string {
  return parseInline(line).map(inlineToCard).join('');
}

// A paragraph that happens to begin like a list item or a heading must not turn into one.
function escapeLineStart(line: string): string {
  return line.replace(/^(\s*)([-+=#])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/**
 * Converts IT Buddy markdown into card markdown parts, each at most `maxChars` long, split between lines
 * (or, for one very long line, at a space). Lists use single line breaks; paragraphs use blank lines,
 * which is how Teams separates lines in a TextBlock.
 */
export function cardMarkdownParts(markdown: string, maxChars = 6000): string[] {
  const lines: { text: string; list: 'bullet' | 'numbered' | undefined }[] = [];
  for (const block of parseBlocks(markdown.replace(/\r\n?/g, '\n'))) {
    const inline = inlineCardMarkdown(block.text);
    if (block.kind === 'bullet') lines.push({ text: `- ${inline}`, list: 'bullet' });
    else if (block.kind === 'numbered') lines.push({ text: `${block.number}. ${inline}`, list: 'numbered' });
    else if (inline.trim()) lines.push({ text: escapeLineStart(inline), list: undefined });
  }
  const parts: string[] = [];
  let current = '';
  let previous: (typeof lines)[number] | undefined;
  for (const line of lines) {
    for (const piece of splitLong(line.text, maxChars)) {
      const separator = previous?.list && previous.list === line.list ? '\n' : '\n\n';
      if (current && current.length + separator.length + piece.length > maxChars) {
        parts.push(current);
        current = '';
      }
      current = current ? `${current}${separator}${piece}` : piece;
      previous = line;
    }
  }
  if (current) parts.push(current);
  return parts;
}

/** IT Buddy markdown as one card-markdown string. */
export function cardMarkdown(markdown: string): string {
  return cardMarkdownParts(markdown, Number.POSITIVE_INFINITY).join('\n\n');
}

function splitLong(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    let cut = rest.lastIndexOf(' ', maxChars);
    if (cut < maxChars / 2) cut = maxChars;
    // Never leave a lone escaping backslash at the end of a piece.
    while (cut > 1 && rest[cut - 1] === '\\') cut--;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}
