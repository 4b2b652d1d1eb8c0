// A sentence cut into words, each with what the finder needs: its normalised form and whether
// the person capitalised it (a hint that it is a proper name, unless it starts a sentence).
import { canonicalToken, normalizeText } from './normalize.js';

export interface Token {
  /** Normalised, "st" expanded to "saint". */
  norm: string;
  raw: string;
  /** Offsets in the original text. */
  from: number;
  to: number;
  /** Capitalised where a capital means something (not at a sentence start, not in all-caps text). */
  cap: boolean;
  /** Capitalised, wherever it is (not in all-caps text). */
  upper: boolean;
  digits: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;
const SENTENCE_END = /[.!?\n]/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const capsMeaningful = /\p{Ll}/u.test(text);
  let prevEnd = 0;
  for (const m of text.matchAll(WORD)) {
    const raw = m[0];
    const from = m.index;
    const to = from + raw.length;
    const sentenceStart = out.length === 0 || SENTENCE_END.test(text.slice(prevEnd, from));
    prevEnd = to;
    const first = raw[0]!;
    const upper = capsMeaningful && first !== first.toLowerCase();
    const cap = upper && !sentenceStart;
    for (const part of normalizeText(raw).split(' ')) {
      if (!part) continue;
      out.push({ norm: canonicalToken(part), raw, from, to, cap, upper, digits: /^\d+$/.test(part) });
    }
  }
  return out;
}
