// What an article's text may be, however it arrives (pasted, an uploaded file, a corpus import):
// UTF-8, at most 1 MB, no binary data, not empty; and the line-end rule (core/offsets.ts).
import { normaliseLineEnds } from './offsets.js';

export const MAX_ARTICLE_BYTES = 1024 * 1024;

export interface TextProblem {
  kind: 'too-large' | 'binary' | 'empty';
  message: string;
}

/** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The text an article keeps: the line-end rule applied (a leading BOM dropped, CRLF and CR made LF). */
export function articleText(raw: string): string {
  return normaliseLineEnds(raw).text;
}

/** Why `text` cannot be an article's text, or null. */
export function articleTextProblem(text: string): TextProblem | null {
  if (new TextEncoder().encode(text).length > MAX_ARTICLE_BYTES) {
    return { kind: 'too-large', message: 'That article is larger than 1 MB. Split it into parts and import each one.' };
  }
  // NUL and other control characters (but tabs and line breaks) mean binary data, not an article.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFD]/.test(text)) {
    return { kind: 'binary', message: 'That looks like binary data, not the text of an article.' };
  }
  if (text.trim() === '') return { kind: 'empty', message: 'The article is empty: paste its text or choose a file.' };
  return null;
}
