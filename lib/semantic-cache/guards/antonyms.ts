/**
 * Antonyms guard: a word only the query has must not be the opposite of a word only the cached
 * query has ("enable" vs "disable", "faster" vs "slower", "ascending" vs "descending"). Opposites
 * come from WordNet 3.1's antonym pointers (loaded once, wordnet-antonyms.ts), the developer pairs
 * and prefix rules of contrast-pairs.ts. Words both queries share are ignored, so a paraphrase that
 * repeats a word and rewords the rest passes. Words are compared by light inflection (disabling →
 * disable, faster → fast).
 */
import { CONTRAST_PAIRS, NEGATING_PREFIXES, SWAPPED_PREFIXES } from './contrast-pairs';
import { inflectionBases, words } from './text';
import { addOpposite, wordnetAntonyms } from './wordnet-antonyms';

/** The developer pairs as a map, built once; WordNet's map is consulted beside it, not copied. */
let contrasts: ReadonlyMap<string, ReadonlySet<string>> | null = null;

function oppositeMaps(): ReadonlyMap<string, ReadonlySet<string>>[] {
  if (!contrasts) {
    const map = new Map<string, Set<string>>();
    for (const [a, b] of CONTRAST_PAIRS) addOpposite(map, a, b);
    contrasts = map;
  }
  return [contrasts, wordnetAntonyms()];
}

/** Each word with its base forms, so "disabling" meets "enable" and "faster" meets "slow". */
function forms(text: string): Set<string> {
  const set = new Set<string>();
  for (const word of words(text)) for (const form of inflectionBases(word)) set.add(form);
  return set;
}

/** The word of `others` that `word` turns into by a negating prefix or a prefix swap, if any; set lookups only, so linear. */
function prefixOpposite(word: string, others: ReadonlySet<string>): string | undefined {
  for (const prefix of NEGATING_PREFIXES) {
    if (word.length >= 3 && others.has(prefix + word)) return prefix + word;
    const stem = word.slice(prefix.length);
    if (word.startsWith(prefix) && stem.length >= 3 && others.has(stem)) return stem;
  }
  for (const [x, y] of SWAPPED_PREFIXES)
    for (const [from, to] of [
      [x, y],
      [y, x],
    ]) {
      const stem = word.slice(from.length);
      if (word.startsWith(from) && stem.length >= 3 && others.has(to + stem)) return to + stem;
    }
  return undefined;
}

/** The first opposite pair split across the two queries, or null. */
export function findOpposites(query: string, candidate: string): [string, string] | null {
  const a = forms(query);
  const b = forms(candidate);
  const onlyA = [...a].filter((word) => !b.has(word));
  const onlyB = new Set([...b].filter((word) => !a.has(word)));
  const maps = oppositeMaps();
  for (const word of onlyA) for (const map of maps) for (const opposite of map.get(word) ?? []) if (onlyB.has(opposite)) return [word, opposite];
  for (const word of onlyA) {
    const opposite = prefixOpposite(word, onlyB);
    if (opposite !== undefined) return [word, opposite];
  }
  return null;
}

/** Null when no word of one query is the opposite of a word of the other, else the pair. */
export function antonymsGuard(query: string, candidate: string): string | null {
  const pair = findOpposites(query, candidate);
  return pair ? `opposites: ${pair[0]} vs ${pair[1]}` : null;
}
