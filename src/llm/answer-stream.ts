// Turns the JSON a model is still writing into safe text to stream: the "answer" field is read from the partial
// JSON as it grows, and only a prefix that the final sanitising cannot change any more is let through.
import type { ReplyStream } from '../messages/reply-stream.ts';

/** The value of the string field `name` in partial JSON written by the model, and whether it is complete. */
export function partialStringField(
  json: string,
  name: string,
): { text: string; complete: boolean } | undefined {
  const start = new RegExp(`^\\s*\\{\\s*"${name}"\\s*:\\s*"`).exec(json);
  if (!start) return undefined;
  let text = '';
  let i = start[0].length;
  while (i < json.length) {
    const c = json[i]!;
    if (c === '"') return { text, complete: true };
    if (c !== '\\') {
      text += c;
      i += 1;
      continue;
    }
    const next = json[i + 1];
    if (next === undefined) break; // the escape is cut in two: wait for the rest
    if (next === 'u') {
      const hex = json.slice(i + 2, i + 6);
      if (hex.length < 4) break;
      text += String.fromCharCode(Number.parseInt(hex, 16));
      i += 6;
      continue;
    }
    text += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
    i += 2;
  }
  return { text, complete: false };
}

/**
 * The part of unfinished answer text that is safe to show: whole words only, and nothing from an unclosed
 * Markdown link or a half-written address on, since sanitising may still remove or rewrite those.
 */
export function settledPrefix(text: string): string {
  let end = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n'));
  if (end < 0) return '';
  let prefix = text.slice(0, end);
  const open = prefix.lastIndexOf('[');
  if (open >= 0 && !/\]\([^)\s]*\)/.test(prefix.slice(open))) prefix = prefix.slice(0, open);
  end = prefix.length;
  return prefix.slice(0, end);
}

/** Feeds a model's growing JSON into `stream`, writing each newly settled piece of the answer once. */
export function answerStreamer(
  stream: ReplyStream,
  sanitise: (text: string) => string,
): { onContent(soFar: string): void; finish(answer: string): boolean } {
  let shown = '';
  let broken = false;
  const show = (safe: string) => {
    if (broken || safe.length <= shown.length) return;
    if (!safe.startsWith(shown)) {
      // Sanitising changed what was already shown: stop here; the final answer decides what stays.
      broken = true;
      return;
    }
    stream.write(safe.slice(shown.length));
    shown = safe;
  };
  return {
    onContent(soFar) {
      const field = partialStringField(soFar, 'answer');
      if (!field) return;
      show(field.complete ? sanitise(field.text) : sanitise(settledPrefix(field.text)).trimEnd());
    },
    /** Writes the rest of the checked answer; false when what was shown is not the start of it. */
    finish(answer) {
      if (broken || !answer.startsWith(shown)) return false;
      show(answer);
      return true;
    },
  };
}
