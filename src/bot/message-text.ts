// Cleans and classifies raw message text so odd input (empty, huge, emoji-only, binary) gets a kind answer.
import { stripControl } from '../messages/markdown.ts';

/** Longest text the bot reads; the rest is ignored (and the user told). */
export const maxTextLength = 4000;

export type TextShape = 'empty' | 'unreadable' | 'emoji' | 'text';

/** The cleaned text, whether it was cut, and what kind of input it is. */
export function examineText(raw: string | undefined): { text: string; truncated: boolean; shape: TextShape } {
  const input = raw ?? '';
  const replacement = (input.match(/\uFFFD/g) ?? []).length;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: counting control characters is the point.
  const control = (input.match(/[\u0000-\u0008\u000e-\u001f]/g) ?? []).length;
  const sample = Math.max(1, Math.min(input.length, 20_000));
  if (input.length > 0 && (replacement + control) / sample > 0.1)
    return { text: '', truncated: false, shape: 'unreadable' };
  const cleaned = stripControl(input).replace(/\s+/g, ' ').trim();
  const truncated = cleaned.length > maxTextLength;
  const text = truncated ? cleaned.slice(0, maxTextLength) : cleaned;
  if (text === '') return { text, truncated, shape: 'empty' };
  if (!/[\p{L}\p{N}]/u.test(text))
    return { text, truncated, shape: /\p{Extended_Pictographic}/u.test(text) ? 'emoji' : 'empty' };
  return { text, truncated, shape: 'text' };
}

const greeting =
  /^(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|morning)( there)?( it ?buddy)?[\s!.,👋]*$/iu;
const thanks =
  /^(thanks|thank you|thx|ty|cheers|ta|great,? thanks|perfect,? thanks)( (so much|a lot|it ?buddy))?[\s!.,🙏👍]*$/iu;
const helpWords = /^(help|\?|what can you do\??|commands|menu|usage|how does this work\??)$/i;

/** Small-talk intents the router answers itself. */
export function smallTalk(text: string): 'greeting' | 'thanks' | 'help' | undefined {
  if (greeting.test(text)) return 'greeting';
  if (thanks.test(text)) return 'thanks';
  if (helpWords.test(text)) return 'help';
  return undefined;
}
