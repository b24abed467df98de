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
import { wordnetAntonyms } from './wordnet-antonyms';

let opposites: ReadonlyMap<string, ReadonlySet<string>> | null = null;

/** WordNet's map plus the contrast pairs, merged once. */
function oppositeMap(): ReadonlyMap<string, ReadonlySet<string>> {
  if (opposites) return opposites;
  const map = new Map<string, Set<string>>();
  for (const [word, set] of wordnetAntonyms()) map.set(word, new Set(set));
  for (const [a, b] of CONTRAST_PAIRS)
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      let set = map.get(from);
      if (!set) map.set(from, (set = new Set()));
      set.add(to);
    }
  opposites = map;
  return map;
}

/** Each word with its base forms, so "disabling" meets "enable" and "faster" meets "slow". */
function forms(text: string): Set<string> {
  const set = new Set<string>();
  for (const word of words(text)) for (const form of inflectionBases(word)) set.add(form);
  return set;
}

function prefixed(a: string, b: string): boolean {
  for (const prefix of NEGATING_PREFIXES) if ((b === prefix + a || a === prefix + b) && a.length >= 3 && b.length >= 3) return true;
  for (const [x, y] of SWAPPED_PREFIXES) {
    if (a.startsWith(x) && b.startsWith(y) && a.slice(x.length) === b.slice(y.length) && a.length - x.length >= 3) return true;
    if (a.startsWith(y) && b.startsWith(x) && a.slice(y.length) === b.slice(x.length) && a.length - y.length >= 3) return true;
  }
  return false;
}

/** The first opposite pair split across the two queries, or null. */
export function findOpposites(query: string, candidate: string): [string, string] | null {
  const a = forms(query);
  const b = forms(candidate);
  const onlyA = [...a].filter((word) => !b.has(word));
  const onlyB = new Set([...b].filter((word) => !a.has(word)));
  const map = oppositeMap();
  for (const word of onlyA) {
    const set = map.get(word);
    if (set) for (const opposite of set) if (onlyB.has(opposite)) return [word, opposite];
  }
  // Prefix rules compare only words each query has alone: few, so the pairwise check stays small.
  const shortA = onlyA.filter((word) => word.length <= 24).slice(0, 200);
  const shortB = [...onlyB].filter((word) => word.length <= 24).slice(0, 200);
  for (const x of shortA) for (const y of shortB) if (prefixed(x, y)) return [x, y];
  return null;
}

/** Null when no word of one query is the opposite of a word of the other, else the pair. */
export function antonymsGuard(query: string, candidate: string): string | null {
  const pair = findOpposites(query, candidate);
  return pair ? `opposites: ${pair[0]} vs ${pair[1]}` : null;
}
