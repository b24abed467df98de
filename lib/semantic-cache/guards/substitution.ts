/**
 * Substitution guard: two queries that say the same thing but for one or two content words swapped
 * for unrelated ones ask different questions ("install Docker on Ubuntu" vs "update Docker on
 * Ubuntu", "rename a file" vs "rename a branch"). Embeddings score such pairs as high as
 * paraphrases, so the swap is vetoed unless each swapped word has a counterpart it may stand for:
 * the same inflection or stem, a WordNet synonym, or a developer synonym (exit/quit). Rewordings
 * that change more words are left to similarity.
 */
import { nameWords } from './entities';
import { inflectionBases, STOPWORDS } from './text';
import { wordnetSynsets } from './wordnet-synonyms';

/** Swaps of more words than this on either side are rewordings, not substitutions. */
const MAX_SWAPPED = 2;
/** Words sharing this many leading letters are one stem (idempotent/idempotency, connect/connection). */
const STEM_PREFIX = 5;

/** Words that carry the asking, not the question: paraphrases add and drop them freely. */
const FILLER = new Set(
  (
    'way best good right explain mean meaning use using used need want get make tell show know possible correct proper command go able thing something someone anyone ' +
    // Particles of phrasal verbs (turn on, find out, set up): the verb carries the meaning; on/off, up/down are the antonyms guard's.
    'on off up down out over ' +
    // Quantifiers and negation cues: other guards compare them.
    "all every each any no not never without can't cannot won't don't doesn't fail fails failed"
  ).split(' '),
);

/**
 * Developer synonyms WordNet does not list (one group a line): verbs and short forms that
 * questions swap freely. Phrasal particles are filler, so "turn on" reads as "turn".
 */
const SYNONYM_GROUPS = [
  'enable turn activate switch',
  'disable deactivate turn switch',
  'create generate make write add',
  'check verify validate confirm see tell find',
  'find locate search',
  'view see show display print list look',
  'configure setup set config',
  'delete remove drop erase purge',
  'fix resolve solve repair troubleshoot debug track',
  'stop kill terminate halt',
  'start launch run boot spin',
  'update upgrade bump',
  'trim strip',
  'follow tail watch',
  'return respond reply send',
  'exit quit leave',
  'connect connection open',
  'give let allow grant',
  'merge combine join',
  'reduce lower decrease cut shrink',
  'increase raise',
  'max maximum',
  'min minimum',
  'folder directory dir',
  'repo repository',
  'app application',
  'config configuration settings',
  'docs documentation',
  'env environment',
  'var variable',
  'func function',
  'arg argument',
  'param parameter',
  'db database',
  'error exception',
  'dependency dependencies package packages',
  'cause causes reason why happen',
  'big large huge size',
];
/** Word → the groups it belongs to (a word may sit in two: "find" checks and locates). */
const SYNONYM_GROUPS_OF = new Map<string, number[]>();
SYNONYM_GROUPS.forEach((group, index) => {
  for (const word of group.split(' ')) SYNONYM_GROUPS_OF.set(word, [...(SYNONYM_GROUPS_OF.get(word) ?? []), index]);
});

/** A question's content words come first; past this many distinct ones the query is no short question and is left to similarity. */
const MAX_CONTENT_WORDS = 64;

function contentWords(text: string): string[] | null {
  const found = new Set<string>();
  for (const word of nameWords(text)) {
    if (STOPWORDS.has(word) || FILLER.has(word) || /^\p{N}/u.test(word)) continue;
    found.add(word);
    if (found.size > MAX_CONTENT_WORDS) return null;
  }
  return [...found];
}

/** What a word may stand for: its inflection bases, their synonym-group keys and WordNet synsets. */
function meaningsOf(word: string): Set<string> {
  const meanings = new Set<string>();
  for (const form of inflectionBases(word)) {
    meanings.add(form);
    for (const group of SYNONYM_GROUPS_OF.get(form) ?? []) meanings.add(`group:${group}`);
    for (const synset of wordnetSynsets(form)) meanings.add(synset);
  }
  return meanings;
}

function related(a: string, b: string, meaningsA: Set<string>, meaningsB: Set<string>): boolean {
  if (a.length >= STEM_PREFIX && b.length >= STEM_PREFIX && a.slice(0, STEM_PREFIX) === b.slice(0, STEM_PREFIX)) return true;
  for (const meaning of meaningsA) if (meaningsB.has(meaning)) return true;
  return false;
}

/** The words of `from` no word of `other` may stand for; stops once more than MAX_SWAPPED are found. */
function unmatched(from: string[], other: string[], meanings: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  for (const word of from) {
    if (!other.some((candidate) => related(word, candidate, meanings.get(word)!, meanings.get(candidate)!))) found.push(word);
    if (found.length > MAX_SWAPPED) break;
  }
  return found;
}

/** Null unless one or two content words were swapped for words they cannot stand for. */
export function substitutionGuard(query: string, candidate: string): string | null {
  const a = contentWords(query);
  const b = contentWords(candidate);
  if (!a || !b) return null;
  const meanings = new Map([...a, ...b].map((word) => [word, meaningsOf(word)]));
  const onlyA = unmatched(a, b, meanings);
  if (onlyA.length === 0 || onlyA.length > MAX_SWAPPED) return null;
  const onlyB = unmatched(b, a, meanings);
  if (onlyB.length === 0 || onlyB.length > MAX_SWAPPED) return null;
  return `swapped: ${onlyA.join(' ')} vs ${onlyB.join(' ')}`;
}
