// Cleans what a holder typed before anything reads it: no markup, no control characters,
// bounded length. The bot never echoes holder text, this is for understanding only.
export const MAX_INPUT_CHARS = 1000;

export interface CleanInput {
  text: string;
  truncated: boolean;
  /** False for emoji-only or punctuation-only messages. */
  hasWords: boolean;
}

export function cleanInput(raw: unknown): CleanInput {
  let text = typeof raw === 'string' ? raw : '';
  text = text
    .replace(/<[^>]{0,500}>/g, ' ') // tags, not the text between them
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const truncated = text.length > MAX_INPUT_CHARS;
  if (truncated) text = text.slice(0, MAX_INPUT_CHARS);
  return { text, truncated, hasWords: /[\p{L}\p{N}]/u.test(text) };
}
