/**
 * Sub-word tokens to words with their keep-probabilities, as LLMLingua-2's
 * `__merge_token_to_word` and `__token_prob_to_word_prob(convert_mode="mean")` do.
 */
import type { WordStyle } from '../models/manifest';

export interface WordOptions {
  style: WordStyle;
  forceTokens: ReadonlySet<string>;
  forceReserveDigit: boolean;
  /** [CLS], [SEP], [UNK]…: skipped, as LLMLingua skips its tokenizer's special_tokens_map. */
  specialTokens: ReadonlySet<string>;
}

export interface ScoredWords {
  words: string[];
  /** Mean keep-probability per word, forced words and digits at 1. */
  probs: number[];
  /** The same without forcing: the context-level filter scores contexts with these. */
  probsNoForce: number[];
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
const DIGIT = /\d/;

/** Python's `str.lstrip(chars)`: every leading character in the set. */
function lstrip(token: string, char: string): string {
  let i = 0;
  while (i < token.length && token[i] === char) i++;
  return token.slice(i);
}

function pureToken(token: string, style: WordStyle): string {
  return style === 'wordpiece' ? lstrip(token, '#') : lstrip(token, '▁');
}

/** `is_begin_of_new_word` (llmlingua/utils.py). */
function beginsWord(token: string, options: WordOptions): boolean {
  if (options.style === 'wordpiece') {
    return options.forceTokens.has(lstrip(token, '#')) || !token.startsWith('##');
  }
  return PUNCTUATION.has(token) || options.forceTokens.has(token) || token.startsWith('▁');
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export function tokensToWords(tokens: readonly string[], probs: readonly number[], options: WordOptions): ScoredWords {
  const words: string[] = [];
  const forced: number[][] = [];
  const unforced: number[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (options.specialTokens.has(token)) continue;
    const prob = probs[i];
    const digitForced = options.forceReserveDigit && DIGIT.test(token);
    if (words.length === 0 || beginsWord(token, options)) {
      const pure = pureToken(token, options.style);
      const wordForced = options.forceTokens.has(pure);
      words.push(token);
      forced.push([digitForced || wordForced ? 1 : prob]);
      unforced.push([prob]);
    } else {
      words[words.length - 1] += pureToken(token, options.style);
      forced[forced.length - 1].push(digitForced ? 1 : prob);
      // LLMLingua appends the word's first-token probability here (a stale variable); the token's own is meant.
      unforced[unforced.length - 1].push(prob);
    }
  }
  return { words, probs: forced.map(mean), probsNoForce: unforced.map(mean) };
}

/** `convert_tokens_to_string` of BERT (space-joined) and SentencePiece (▁ → space) tokenizers. */
export function wordsToText(words: readonly string[], style: WordStyle): string {
  if (style === 'wordpiece') return words.join(' ').replace(/ ##/g, '').trim();
  return words.join('').replace(/▁/g, ' ').trim();
}
